"""Choosing answer thresholds from out-of-fold calibration samples (synthetic, seeded)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexer.thresholds import (
    FALLBACK,
    Samples,
    Thresholds,
    choose,
    curve,
    load_samples,
    lowest_reaching,
    save_samples,
)


def calibrated(n: int, lang: str, seed: int, n_oos: int = 0, oos_conf: float = 0.2) -> Samples:
    """Questions whose confidence is their real chance of being right, and out-of-scope ones at
    `oos_conf`."""
    rng = np.random.default_rng(seed)
    conf = rng.uniform(0, 1, n)
    right = (rng.uniform(0, 1, n) < conf).astype(float)
    oos_c = np.full(n_oos, oos_conf)
    return Samples(np.concatenate([conf, oos_c]), np.concatenate([right, np.zeros(n_oos)]),
                   np.concatenate([np.zeros(n), np.ones(n_oos)]), (lang,) * (n + n_oos))


def join(*parts: Samples) -> Samples:
    return Samples(np.concatenate([p.confidence for p in parts]), np.concatenate([p.right for p in parts]),
                   np.concatenate([p.out_of_scope for p in parts]), sum((p.langs for p in parts), ()))


def test_the_lowest_threshold_reaching_the_target() -> None:
    s = calibrated(4000, "en", 0)
    t = lowest_reaching(s, 0.95, 0.2)
    assert t is not None
    points = {p["threshold"]: p for p in curve(s, 0.2)}
    assert points[t]["precision"] >= 0.95  # type: ignore[operator]
    below = round(t - 0.01, 2)
    assert points[below]["precision"] < 0.95  # type: ignore[operator]
    # Calibrated confidences above t average about (1 + t) / 2: precision 0.95 needs t near 0.9.
    assert 0.86 <= t <= 0.94


def test_out_of_scope_questions_answered_count_as_wrong_at_their_share() -> None:
    # Confident out-of-scope questions force the threshold above them, however few they are.
    s = calibrated(2000, "en", 1, n_oos=40, oos_conf=0.85)
    assert lowest_reaching(s, 0.9, 0.2) == pytest.approx(0.86)
    assert lowest_reaching(s, 0.9, 0.0) < 0.85  # type: ignore[operator]


def test_languages_with_enough_questions_get_their_own() -> None:
    # Thai's confidences are over-optimistic: a right answer only half as often as they say.
    en = calibrated(3000, "en", 2, n_oos=100)
    th = calibrated(600, "th", 3, n_oos=30)
    th = Samples(th.confidence, th.right * (np.random.default_rng(4).uniform(0, 1, len(th.right)) < 0.97),
                 th.out_of_scope, th.langs)
    et = calibrated(60, "et", 5, n_oos=5)  # too few: the global threshold
    chosen = choose(join(en, th, et), 0.95, 0.2)
    assert chosen.source == "self-calibrated" and set(chosen.per_lang) == {"en", "th"}
    assert chosen.per_lang["th"] > chosen.per_lang["en"]
    assert chosen.for_lang("et") == (chosen.answer, "global")
    assert chosen.for_lang("th") == (chosen.per_lang["th"], "language")
    assert chosen.stats["per_lang"]["et"] == {"questions": 60, "out_of_scope": 5}


def test_no_samples_falls_back_and_an_unreachable_target_answers_only_the_surest() -> None:
    assert choose(None, 0.97, 0.2) == Thresholds(0.97, FALLBACK, {}, "fallback")
    hopeless = Samples(np.full(100, 0.99), np.zeros(100), np.zeros(100), ("en",) * 100)
    chosen = choose(hopeless, 0.97, 0.2)
    assert chosen.answer == 0.99 and chosen.stats["reached"] is False


def test_saved_and_loaded(tmp_path: Path) -> None:
    s = calibrated(500, "zh-TW", 6, n_oos=20)
    chosen = choose(s, 0.9, 0.2, min_lang=100)
    chosen.save(tmp_path)
    assert Thresholds.load(tmp_path) == chosen
    save_samples(tmp_path, s)
    again = load_samples(tmp_path)
    assert again is not None and again.langs == s.langs
    np.testing.assert_array_equal(again.confidence, s.confidence)
    assert Thresholds.load(tmp_path / "nowhere") is None
    (tmp_path / "thresholds.json").write_text('{"answer": 2}')
    with pytest.raises(ValueError, match="unreadable thresholds"):
        Thresholds.load(tmp_path)


@pytest.mark.parametrize(("target", "match"), [(0.0, "target precision must be in"),
                                               (1.5, "target precision must be in")])
def test_bad_targets(target: float, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        choose(calibrated(10, "en", 0), target, 0.2)


def test_mismatched_samples_are_refused() -> None:
    with pytest.raises(ValueError, match="3 confidences but 2 labels"):
        Samples(np.zeros(3), np.zeros(2), np.zeros(3), ("en",) * 3)


def test_the_kbs_own_out_of_scope_examples_stand_for_out_of_scope_traffic() -> None:
    # Removed articles' questions look answerable (0.9); the written examples do not (0.1).
    inside = calibrated(2000, "en", 7)
    removed = Samples(np.full(100, 0.9), np.zeros(100), np.ones(100), ("en",) * 100, np.zeros(100))
    written = Samples(np.full(40, 0.1), np.zeros(40), np.ones(40), ("en",) * 40, np.ones(40))
    inside = Samples(inside.confidence, inside.right, inside.out_of_scope, inside.langs, np.zeros(2000))
    both = join(inside, removed, written)
    both = Samples(both.confidence, both.right, both.out_of_scope, both.langs,
                   np.concatenate([inside.example, removed.example, written.example]))  # type: ignore[list-item]
    assert len(both.traffic().langs) == 2040
    assert choose(both, 0.9, 0.2).answer < 0.9  # the removed articles' questions no longer decide
    few = both.subset(np.concatenate([np.ones(2100, bool), np.arange(40) < 10]))
    assert len(few.traffic().langs) == 2110 and choose(few, 0.9, 0.2).answer > 0.9
