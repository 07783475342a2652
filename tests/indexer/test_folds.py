"""The calibration folds' plan, on hand-made units (no encoder)."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest

from indexer.folds import FOLDS, MAX_OOS_PER_ARTICLE, plan_folds
from indexer.store import Unit


def _units(questions: dict[str, int]) -> list[Unit]:
    units = []
    for aid, n in questions.items():
        units.append(Unit(aid, "en", "title", f"title of {aid}"))
        units += [Unit(aid, "en", "question", f"question {i} of {aid}") for i in range(n)]
    return units


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_removed_article_stands_for_all_its_questions(seed: int) -> None:
    """However few of a removed article's questions are asked, together they count for all of
    them: the out-of-scope traffic a busy article would have had."""
    questions = {f"a{i}": (40 if i % 5 == 0 else 2) for i in range(30)}
    units = _units(questions)
    folds = plan_folds(units, len(units), {}, 0, np.random.default_rng(seed))
    assert len(folds) == FOLDS
    seen = 0
    for fold in folds:
        assert len(fold.traffic) == len(fold.removed)
        per_article: dict[str, float] = defaultdict(float)
        asked: dict[str, int] = defaultdict(int)
        for row, mass in zip(fold.removed, fold.traffic, strict=True):
            per_article[units[row].article_id] += mass
            asked[units[row].article_id] += 1
        for aid, total in per_article.items():
            assert total == pytest.approx(questions[aid])
            assert asked[aid] <= MAX_OOS_PER_ARTICLE
            assert not fold.keep[[i for i, u in enumerate(units) if u.article_id == aid]].any()
        seen += len(per_article)
    assert seen == FOLDS * 3  # 10 % of 30 articles removed per fold
