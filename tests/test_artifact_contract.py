"""One contract for every fitted folder voc writes: the same manifest schema, config.json = get_params(), and a
load that gives back the same answers (sentence-transformers' folder persistence, scikit-learn's estimator
checks)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from voc.embed import CorpusEmbedder, TfidfSvdEmbedder, load_embedder
from voc.index import VectorIndex
from voc.sentiment import SentimentModel
from voc.topics import ThemeModel

TEXTS = [f"转账限额太低 第{i}次 手机银行 闪退" if i % 2 else f"服务很好 大堂经理 耐心 第{i}次" for i in range(240)]
TOKENS = [t.split() for t in TEXTS]
LABELS = [0 if i % 2 else 2 for i in range(len(TEXTS))]


def _corpus() -> tuple[Any, Callable[[Path], Any], Callable[[Any], Any]]:
    emb = CorpusEmbedder(dim=16, epochs=2, min_count=1).fit(TEXTS)
    return emb, load_embedder, lambda m: m.encode(TEXTS[:20])


def _lsa() -> tuple[Any, Callable[[Path], Any], Callable[[Any], Any]]:
    emb = TfidfSvdEmbedder(dim=8).fit(TEXTS)
    return emb, load_embedder, lambda m: m.encode(TEXTS[:20])


def _themes() -> tuple[Any, Callable[[Path], Any], Callable[[Any], Any]]:
    x = CorpusEmbedder(dim=16, epochs=2, min_count=1).fit(TEXTS).encode(TEXTS)
    model = ThemeModel(min_theme_size=5, random_state=0).fit(x, TOKENS)
    return model, lambda p: ThemeModel.load(str(p)), lambda m: m.assign(x[:20])[0]


def _sentiment() -> tuple[Any, Callable[[Path], Any], Callable[[Any], Any]]:
    model = SentimentModel(min_per_class=20).fit(TEXTS, LABELS)
    return model, SentimentModel.load, lambda m: [r.score for r in m.score_many(TEXTS[:20])]


def _index() -> tuple[Any, Callable[[Path], Any], Callable[[Any], Any]]:
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(50, 8)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index = VectorIndex(8)
    index.add(np.arange(50), vecs)
    return index, VectorIndex.load, lambda m: m.search(vecs[:5], 3)[1]


FITTED = {"CorpusEmbedder": _corpus, "TfidfSvdEmbedder": _lsa, "ThemeModel": _themes,
          "SentimentModel": _sentiment, "VectorIndex": _index}


@pytest.mark.parametrize("name", sorted(FITTED))
def test_every_fitted_folder_follows_one_contract(name: str, tmp_path: Path) -> None:
    model, load, answers = FITTED[name]()
    folder = tmp_path / name
    model.save(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["kind"].startswith("voc.") and manifest["kind"].endswith(name)
    assert {"voc_version", "created_at", "fingerprint", "libraries"} <= set(manifest)
    assert manifest["created_at"].endswith("+08:00") and manifest["libraries"]
    assert isinstance(manifest["fingerprint"], str)  # one schema: a string, hashed when structured
    if hasattr(model, "get_params"):
        assert json.loads((folder / "config.json").read_text(encoding="utf-8")) == json.loads(
            json.dumps(model.get_params()))
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # nothing half-written left
    np.testing.assert_allclose(np.asarray(answers(load(folder))), np.asarray(answers(model)), rtol=1e-5, atol=1e-6)


def test_an_index_written_with_a_dict_fingerprint_is_not_stale(tmp_path: Path) -> None:
    """Manifests once held an embedder's identity dict as the fingerprint: such an index must not re-embed."""
    from builders import build_workspace

    from voc import vectors
    from voc.store import Store

    ws = build_workspace(tmp_path / "ws").ws
    with Store.open(ws.db_path) as store:
        embedder = vectors.workspace_embedder(ws, store)
        assert vectors.update_index(ws, store, embedder) > 0
        path = ws.index_dir / "manifest.json"
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["fingerprint"] = embedder.fingerprint  # the old schema
        path.write_text(json.dumps(manifest), encoding="utf-8")
        assert vectors.update_index(ws, store, embedder) == 0
        assert vectors.verify_index(ws, store)["ok"]
