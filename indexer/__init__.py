"""Indexer: embeds KB passages into a hybrid BM25 + FAISS index saved in a directory."""

from indexer.analyzers import ANALYZER_VERSION, analyze
from indexer.build import build_index
from indexer.encoders import Encoder, make_encoder
from indexer.store import HybridIndex, Unit, load_index

__all__ = ["ANALYZER_VERSION", "Encoder", "HybridIndex", "Unit", "analyze", "build_index",
           "load_index", "make_encoder"]
