"""Groups of near-identical questions, so a report can say "37 people asked X" instead of listing 37 lines.

Average-linkage agglomerative clustering on cosine distance, cut at a fixed distance: a cluster is a
set of questions whose mean pairwise similarity stays above 1 - threshold. A fixed cut (rather than
a fixed number of clusters) keeps unrelated one-off questions apart instead of forcing them together.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist

log = logging.getLogger(__name__)

# multilingual-e5-small puts unrelated short questions at cosine similarity ~0.72-0.82 and
# paraphrases at ≥ 0.88, so the cut has to sit well below the 0.2 usual for other encoders.
# On CLINC150's out-of-scope utterances 0.12 keeps clusters single-topic; 0.15 starts merging
# questions that merely share a shape ("what is the ... of ...").
DEFAULT_THRESHOLD = 0.12
EXAMPLES_PER_CLUSTER = 5
# Linkage needs all pairwise distances (n² / 2 floats); past this many distinct questions the
# rest are attached to the nearest cluster found on the first ones instead.
MAX_LINKED = 4000


@dataclass(frozen=True)
class Cluster:
    """Questions that say the same thing; sizes count repeated questions every time they occur."""

    size: int
    representative: str  # the member closest to the cluster centroid
    examples: tuple[str, ...]  # distinct members, most central first
    # Positions of every member in the input, most central first: callers join them back to
    # whatever the texts came from (the bot's outcome for each question, say).
    members: tuple[int, ...] = field(default=(), repr=False)


def cluster_questions(texts: Sequence[str], vectors: np.ndarray, threshold: float = DEFAULT_THRESHOLD,
                      max_clusters: int = 20) -> list[Cluster]:
    """Clusters of `texts` (rows of `vectors` are their L2-normalised embeddings), biggest first.

    Singletons are kept but rank after every real cluster; at most `max_clusters` are returned.
    """
    if not 0.0 < threshold < 2.0:
        raise ValueError(f"threshold must be a cosine distance in (0, 2), got {threshold!r}")
    if max_clusters < 1:
        raise ValueError(f"max_clusters must be at least 1, got {max_clusters!r}")
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != len(texts):
        raise ValueError(f"vectors must have one row per text ({len(texts)}), got shape {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise ValueError("vectors contain NaN or infinite values")
    if not texts:
        return []

    # The same question asked many times is one point with a weight: it keeps linkage small and
    # stops a repeated question from filling the examples with copies of itself.
    positions: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        positions.setdefault(text, []).append(i)
    distinct = list(positions)
    points = _normalized(matrix[[positions[t][0] for t in distinct]])
    weights = np.array([len(positions[t]) for t in distinct], dtype=np.float64)

    labels = _labels(points, threshold)
    clusters: list[tuple[int, int, Cluster]] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        centroid = (points[members] * weights[members, None]).sum(axis=0)
        centroid /= max(float(np.linalg.norm(centroid)), 1e-12)
        # Ties (e.g. a two-member cluster) fall back to input order, so output is deterministic.
        order = sorted(members, key=lambda m: (-round(float(points[m] @ centroid), 6), m))
        cluster = Cluster(size=int(weights[members].sum()), representative=distinct[order[0]],
                          examples=tuple(distinct[m] for m in order[:EXAMPLES_PER_CLUSTER]),
                          members=tuple(i for m in order for i in positions[distinct[m]]))
        clusters.append((-cluster.size, int(members.min()), cluster))
    clusters.sort(key=lambda c: (c[0], c[1]))
    return [c for _, _, c in clusters[:max_clusters]]


def _normalized(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _labels(points: np.ndarray, threshold: float) -> np.ndarray:
    """A cluster label per point."""
    n = len(points)
    if n == 1:
        return np.zeros(1, dtype=np.int64)
    head = points[:MAX_LINKED]
    # Rounding error can make a distance a hair below zero, which linkage rejects.
    distances = np.clip(pdist(head, metric="cosine"), 0.0, 2.0)
    labels = fcluster(linkage(distances, method="average"), t=threshold, criterion="distance")
    labels = np.asarray(labels, dtype=np.int64)
    if n <= MAX_LINKED:
        return labels
    log.warning("clustering the first %d of %d distinct questions; the rest join the nearest cluster",
                MAX_LINKED, n)
    ids = np.unique(labels)
    centroids = _normalized(np.stack([head[labels == k].mean(axis=0) for k in ids]))
    sims = points[MAX_LINKED:] @ centroids.T
    best = sims.argmax(axis=1)
    # A question near no cluster stays on its own rather than padding an unrelated cluster.
    fresh = np.arange(n - MAX_LINKED) + int(ids.max()) + 1
    tail = np.where(1.0 - sims[np.arange(len(best)), best] <= threshold, ids[best], fresh)
    return np.concatenate([labels, tail])
