"""Clusters of customer questions that ask for the same thing, in whatever language they were asked.

The encoder (multilingual-e5) places every question of one language in its own region: two unrelated
short Chinese questions are often closer than a Thai and a Chinese phrasing of the same need. So
before clustering, each question's vector has its language's background removed (the mean vector of
that language's KB example questions, or of the questions themselves when the KB has none), which
leaves what the question is about. Average-linkage clustering on cosine distance is cut at a fixed
distance; a cluster whose members are not all close to its centre is split again with a tighter
cut, so one loose chain never gathers unrelated questions under one heading.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist

log = logging.getLogger(__name__)

# Cosine distance between language-centred e5-small vectors: paraphrases of one need across
# languages sit mostly below 0.8 (tuned on tests/seeded_store.py over the full demo index;
# scripts/gap_purity.py: purity 1.000, each gap 50-100% in one cluster, 6 of 10 multilingual).
CUT = 0.8
# A member further than this from its cluster's centre (cosine distance) splits the cluster.
SPLIT_FROM_CENTRE = 0.65
MAX_LINKED = 3000


@dataclass(frozen=True)
class Group:
    """Positions (into the input) of questions that ask the same thing, most central first."""

    members: tuple[int, ...]
    weight: int  # how many times its questions were asked
    spread: float  # the largest cosine distance of a member from the centre
    centre: np.ndarray = field(repr=False, compare=False)


def normalized(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def centre_languages(vectors: np.ndarray, langs: Sequence[str],
                     background: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
    """Vectors with their language's background direction removed, L2-normalised again."""
    v = normalized(vectors)
    out = v.copy()
    for lang in set(langs):
        rows = [i for i, x in enumerate(langs) if x == lang]
        mean = background.get(lang) if background else None
        if mean is None:
            mean = v[rows].mean(axis=0) if len(rows) >= 3 else None
        if mean is not None:
            out[rows] = v[rows] - np.asarray(mean, dtype=np.float64)
    return normalized(out)


def cluster(vectors: np.ndarray, langs: Sequence[str], weights: Sequence[int] | None = None, *,
            background: Mapping[str, np.ndarray] | None = None, cut: float = CUT,
            split_from_centre: float = SPLIT_FROM_CENTRE) -> list[Group]:
    """Groups of the rows of `vectors` (one per distinct question, asked `weights[i]` times),
    heaviest first; a question unlike any other is a group of its own."""
    if not 0.0 < cut < 2.0:
        raise ValueError(f"cut must be a cosine distance in (0, 2), got {cut!r}")
    n = len(vectors)
    if n != len(langs):
        raise ValueError(f"one language per vector: {n} vectors, {len(langs)} languages")
    if n == 0:
        return []
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    points = centre_languages(vectors, langs, background)
    if not np.isfinite(points).all():
        raise ValueError("vectors contain NaN or infinite values")
    groups = _clusters(points, w, np.arange(n), cut, split_from_centre)
    groups.sort(key=lambda g: (-g.weight, g.members[0]))
    log.debug("clustered %d questions into %d groups", n, len(groups))
    return groups


def _clusters(points: np.ndarray, weights: np.ndarray, rows: np.ndarray, cut: float,
              split_from_centre: float) -> list[Group]:
    out = []
    for members in _split(points, rows, cut):
        group = _group(points, weights, members)
        if group.spread > split_from_centre and len(members) > 2 and cut * 0.8 > 0.05:
            # Too loose to be one need: cluster just these again with a tighter cut.
            out += _clusters(points, weights, members, cut * 0.8, split_from_centre)
        else:
            out.append(group)
    return out


def _split(points: np.ndarray, rows: np.ndarray, cut: float) -> list[np.ndarray]:
    if len(rows) == 1:
        return [rows]
    head = rows[:MAX_LINKED]
    distances = np.clip(pdist(points[head], metric="cosine"), 0.0, 2.0)
    labels = np.asarray(fcluster(linkage(distances, method="average"), t=cut, criterion="distance"))
    out = [head[labels == k] for k in np.unique(labels)]
    if len(rows) > MAX_LINKED:
        log.warning("clustering the first %d of %d questions; the rest join the nearest group",
                    MAX_LINKED, len(rows))
        centres = normalized(np.stack([points[m].mean(axis=0) for m in out]))
        for row in rows[MAX_LINKED:]:
            sims = centres @ points[row]
            best = int(sims.argmax())
            if 1.0 - sims[best] <= cut:
                out[best] = np.append(out[best], row)
            else:
                out.append(np.array([row]))
    return out


def _group(points: np.ndarray, weights: np.ndarray, members: np.ndarray) -> Group:
    centre = normalized((points[members] * weights[members, None]).sum(axis=0))
    sims = points[members] @ centre
    order = sorted(range(len(members)), key=lambda i: (-round(float(sims[i]), 6), int(members[i])))
    return Group(tuple(int(members[i]) for i in order), int(weights[members].sum()),
                 float(1.0 - sims.min()), centre)


def purity(groups: Sequence[Sequence[int]], labels: Sequence[str | None],
           weights: Sequence[int] | None = None) -> float | None:
    """Share of (weighted) labelled members that carry their group's most common label; None
    when no member has a label. 1.0: every group is about one thing."""
    w = [1] * len(labels) if weights is None else list(weights)
    agree = total = 0
    for members in groups:
        counts: dict[str, int] = {}
        for m in members:
            label = labels[m]
            if label is not None:
                counts[label] = counts.get(label, 0) + w[m]
        agree += max(counts.values(), default=0)
        total += sum(counts.values())
    return agree / total if total else None
