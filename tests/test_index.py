"""VectorIndex: exact vs IVF recall, incremental add/remove/replace, filtering, crash-safe save, corruption."""

from __future__ import annotations

import json

import numpy as np
import pytest

import voc.index as vindex
from voc.artifacts import fingerprint_text
from voc.index import VectorIndex, VectorIndexError


def clustered(n: int, dim: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(64, dim)).astype(np.float32)
    x = centres[rng.integers(0, 64, n)] + 0.4 * rng.normal(size=(n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    return np.arange(20_000, dtype=np.int64) * 3 + 11, clustered(20_000, 64)


def test_exact_search_finds_itself(data) -> None:
    ids, x = data
    index = VectorIndex(64)
    index.add(ids[:500], x[:500])
    scores, found = index.search(x[:5], k=3)
    assert index.kind == "flat" and len(index) == 500
    assert [f[0] for f in found] == list(ids[:5])
    assert all(np.all(np.diff(s) <= 1e-6) for s in scores)


def test_ivf_recall_against_exact(data) -> None:
    ids, x = data
    exact = VectorIndex(64, exact_threshold=10**9)
    exact.add(ids, x)
    approx = VectorIndex(64, exact_threshold=5_000)
    approx.add(ids, x)
    assert approx.kind == "ivf" and approx.nprobe_ is not None and len(approx) == len(ids)
    noise = np.random.default_rng(1).normal(scale=0.02, size=(200, 64)).astype(np.float32)
    queries = x[:200] + noise
    _, truth = exact.search(queries, 10)
    _, got = approx.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, got, strict=True)])
    assert recall >= 0.95

    new = -x[0]
    approx.add([5], new[None])
    assert approx.search(new[None], 1)[1][0][0] == 5
    assert approx.remove([5]) == 1 and not approx.contains(5)
    assert 5 not in approx.search(new[None], 10)[1][0]
    approx.add([ids[1]], new[None])
    assert len(approx) == len(ids), "re-adding an id replaces it"
    np.testing.assert_allclose(approx.reconstruct(ids[1]), new)

    allowed = ids[::997]
    _, got = approx.search(queries[:4], 10, allowed_ids=allowed)
    assert all(len(g) == 10 and set(g) <= set(allowed) for g in got)


@pytest.mark.parametrize("threshold", [10**9, 1_000])
def test_add_remove_replace_filter(threshold: int) -> None:
    x = clustered(3_000, 32)
    ids = np.arange(3_000, dtype=np.int64) + 100
    index = VectorIndex(32, exact_threshold=threshold)
    index.add(ids, x)
    probe = clustered(1, 32, seed=9)
    index.add([7], probe)
    assert index.contains(7) and 7 in index and index.search(probe, 1)[1][0][0] == 7
    assert index.remove([7, 123456]) == 1
    assert 7 not in index.search(probe, 20)[1][0] and not index.contains(7)
    index.add([100], probe)
    assert len(index) == 3_000 and index.search(probe, 1)[1][0][0] == 100
    allowed = ids[5:2500:50]
    _, got = index.search(x[:3], 10, allowed_ids=allowed)
    assert all(len(g) == 10 and set(g) <= set(allowed) for g in got)
    _, got = index.search(x[:1], 10, allowed_ids=[ids[3], 999_999])
    assert list(got[0]) == [ids[3]], "fewer than k when fewer exist; -1 padding stripped"
    missing, extra = index.missing([*ids[1:], 42])
    assert list(missing) == [42] and list(extra) == [ids[0]]
    np.testing.assert_array_equal(index.ids(), ids)


@pytest.mark.parametrize("threshold", [10**9, 1_000])
def test_save_load_round_trip(tmp_path, threshold: int) -> None:
    x = clustered(2_000, 16)
    index = VectorIndex(16, exact_threshold=threshold)
    index.add(np.arange(2_000), x)
    identity = {"name": "corpus_w2v_sif", "corpus_hash": "abc"}
    index.save(tmp_path, fingerprint=identity)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["count"] == 2_000 and manifest["fingerprint"] == fingerprint_text(identity)
    loaded = VectorIndex.load(tmp_path)
    assert loaded.kind == index.kind and loaded.fingerprint_ == fingerprint_text(identity)
    for a, b in zip(loaded.search(x[:5], 5)[1], index.search(x[:5], 5)[1], strict=True):
        np.testing.assert_array_equal(a, b)
    loaded.add([5000], x[:1])
    assert loaded.contains(5000)


def test_mmap_load_of_flat_index(tmp_path) -> None:
    x = clustered(500, 16)
    index = VectorIndex(16)
    index.add(np.arange(500), x)
    index.save(tmp_path)
    mapped = VectorIndex.load(tmp_path, mmap=True)
    assert mapped.search(x[:1], 1)[1][0][0] == 0


def test_interrupted_save_keeps_previous_index(tmp_path, monkeypatch) -> None:
    x = clustered(1_000, 16)
    index = VectorIndex(16)
    index.add(np.arange(500), x[:500])
    index.save(tmp_path)
    index.add(np.arange(500, 1_000), x[500:])

    def crash(fh, data: bytes) -> None:
        fh.write(data[: len(data) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(vindex, "_write_bytes", crash)
    with pytest.raises(OSError):
        index.save(tmp_path)
    monkeypatch.undo()
    assert not list(tmp_path.glob("*.tmp")), "the torn temp file is cleaned up"
    previous = VectorIndex.load(tmp_path)
    assert len(previous) == 500


def test_corrupt_file_is_detected(tmp_path) -> None:
    index = VectorIndex(8)
    index.add(np.arange(100), clustered(100, 8))
    index.save(tmp_path)
    file = next(tmp_path.glob("index-*.faiss"))
    raw = bytearray(file.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    file.write_bytes(bytes(raw))
    with pytest.raises(VectorIndexError, match="corrupt"):
        VectorIndex.load(tmp_path)
    with pytest.raises(VectorIndexError, match="no vector index"):
        VectorIndex.load(tmp_path / "nowhere")


def test_wrong_dimension_is_rejected() -> None:
    with pytest.raises(VectorIndexError, match="dimension"):
        VectorIndex(8).add([1], np.zeros((1, 4), np.float32))


def test_ivf_filter_through_faiss_selector(monkeypatch) -> None:
    """Large allowed sets go through faiss's IDSelector; results stay inside the set and fill k."""
    monkeypatch.setattr(vindex, "_EXACT_FILTER_LIMIT", 0)
    x = clustered(4_000, 16)
    ids = np.arange(4_000, dtype=np.int64) * 2
    index = VectorIndex(16, exact_threshold=1_000)
    index.add(ids, x)
    assert index.kind == "ivf"
    for allowed in (ids[::2], ids[:3]):
        _, got = index.search(x[100:103], 10, allowed_ids=allowed)
        assert all(len(g) == min(10, len(allowed)) and set(g) <= set(allowed) for g in got)
