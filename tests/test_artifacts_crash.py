"""Artefact writers killed at every step: the workspace stays usable and the next start cleans up.

Each writer runs in a forked child that counts its file-system steps (opening a file for writing, renames,
replaces, fsyncs, deletions) and is killed with os._exit at step N, for every N; the parent then opens the
workspace (which recovers) and checks that what is there loads, as the old or the new version, and that no
temporary file or folder is left.
"""

from __future__ import annotations

import builtins
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from voc import artifacts, vectors
from voc.embed import CorpusEmbedder, load_embedder
from voc.enrich import load_scorer, sentiment_dir
from voc.index import VectorIndex
from voc.sentiment import LexiconScorer, SentimentModel
from voc.workspace import Workspace

TEXTS = [f"转账限额太低 第{i}次 手机银行 闪退" if i % 2 else f"服务很好 大堂经理 耐心 第{i}次" for i in range(300)]
KILLED = 87


def _run_killed_at(step: int, write: Callable[[], None]) -> int:
    """Run write() in a child killed at file-system step ``step`` (0: never); the child's exit code."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        count = [0]

        def tick() -> None:
            count[0] += 1
            if count[0] == step:
                os._exit(KILLED)

        def counting(fn: Callable) -> Callable:
            def wrapper(*a, **kw):
                tick()
                return fn(*a, **kw)
            return wrapper

        real_open = builtins.open

        def opening(file, mode="r", *a, **kw):
            if any(m in mode for m in "wax+"):
                tick()
            return real_open(file, mode, *a, **kw)

        builtins.open = opening
        for name in ("rename", "replace", "fsync", "unlink", "rmdir"):
            setattr(os, name, counting(getattr(os, name)))
        shutil.rmtree = counting(shutil.rmtree)
        try:
            write()
        except BaseException:
            os._exit(1)
        os._exit(0 if step == 0 else 3 + min(count[0], 200))
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _steps(write: Callable[[], None]) -> int:
    """How many steps the writer takes: run it unkilled and read the count from the child's exit code."""
    code = _run_killed_at(10_000, write)
    assert code >= 3, f"the dry run failed ({code})"
    return code - 3


def _leftovers(home: Path) -> list[str]:
    return [p.name for p in home.rglob("*") if ".partial-" in p.name or ".old-" in p.name or p.name.endswith(".tmp")]


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.init(tmp_path / "ws")


def test_embedder_save_killed_at_every_step(ws: Workspace) -> None:
    old = CorpusEmbedder(dim=16, epochs=1).fit(TEXTS[:150])
    new = CorpusEmbedder(dim=16, epochs=1).fit(TEXTS)
    target = vectors.embedder_dir(ws)
    artifacts.save_folder(target, old.save)
    write = lambda: artifacts.save_folder(target, new.save)  # noqa: E731
    total = _steps(write)
    assert total > 5
    for step in range(1, total + 1):
        assert _run_killed_at(step, write) == KILLED
        Workspace.open(ws.home)  # the next start recovers
        loaded = load_embedder(target)
        assert loaded.fingerprint in (old.fingerprint, new.fingerprint), step
        assert not _leftovers(ws.home), (step, _leftovers(ws.home))
        artifacts.save_folder(target, old.save)


def test_half_written_embedder_folder_never_blocks_the_workspace(ws: Workspace) -> None:
    from voc.store import Store

    config = ws.config_path.read_text(encoding="utf-8")
    ws.config_path.write_text(re.sub(r'(?m)^model = ".*"', 'model = "corpus"', config), encoding="utf-8")
    ws = Workspace.open(ws.home)  # the embedder fitted here (a pretrained one has no folder worth a crash)
    folder = vectors.embedder_dir(ws)
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text('{"kind": "corpus_w2v"}', encoding="utf-8")  # what an old crash left
    assert vectors.load_embedder(ws) is None
    assert not folder.exists()
    with Store.open(ws.db_path) as store:
        from voc.schema import Record

        store.records.upsert_records([Record(source="s", source_id=str(i), channel="rating", text=t, tokens=t,
                                     created_at="2026-03-01T10:00:00+08:00") for i, t in enumerate(TEXTS[:50])])
        model = vectors.workspace_embedder(ws, store)
    assert (folder / "manifest.json").exists() and model.fingerprint == load_embedder(folder).fingerprint


def test_index_save_killed_at_every_step(ws: Workspace) -> None:
    rng = np.random.default_rng(0)
    base = VectorIndex(8)
    base.add(np.arange(50), rng.normal(size=(50, 8)).astype(np.float32))
    base.save(ws.index_dir)
    index = VectorIndex(8)
    index.add(np.arange(120), rng.normal(size=(120, 8)).astype(np.float32))
    write = lambda: index.save(ws.index_dir)  # noqa: E731
    total = _steps(write)
    for step in range(1, total + 1):
        assert _run_killed_at(step, write) == KILLED
        Workspace.open(ws.home)
        assert len(VectorIndex.load(ws.index_dir)) in (50, 120), step
        base.save(ws.index_dir)
        assert [p.name for p in ws.index_dir.glob("index-*.faiss")] == [_manifest_file(ws.index_dir)], step
        assert not _leftovers(ws.home), (step, _leftovers(ws.home))


def _manifest_file(folder: Path) -> str:
    return artifacts.read_json(folder / "manifest.json")["index_file"]


def test_sentiment_model_saved_in_place_killed_at_every_step(ws: Workspace) -> None:
    """A writer outside voc's own atomic folders: a kill leaves no manifest, so the lexicon scores instead."""
    texts = [t for t in TEXTS] * 2
    labels = [0 if "限额" in t else 1 for t in texts]
    model = SentimentModel(min_per_class=10).fit(texts, labels)
    folder = sentiment_dir(ws.models_dir)
    model.save(folder)
    write = lambda: model.save(folder)  # noqa: E731
    total = _steps(write)
    for step in range(1, total + 1):
        assert _run_killed_at(step, write) == KILLED
        Workspace.open(ws.home)
        scorer = load_scorer(ws.models_dir, ws.settings)
        assert isinstance(scorer, SentimentModel | LexiconScorer), step
        scorer.score_many(["转账限额太低"])
        assert not _leftovers(ws.home), (step, _leftovers(ws.home))
        model.save(folder)


def test_swap_interrupted_between_renames_is_restored(tmp_path: Path) -> None:
    target = tmp_path / "m"
    target.mkdir()
    (target / "manifest.json").write_text("{}", encoding="utf-8")
    parked = tmp_path / ".m.old-999999999-abc"
    os.rename(target, parked)  # what a kill between the two renames of a swap leaves
    done = artifacts.recover(tmp_path)
    assert target.exists() and not parked.exists() and "restored" in done[0]


def test_missing_manifest_keeps_the_old_folder(tmp_path: Path) -> None:
    target = tmp_path / "m"
    artifacts.save_folder(target, lambda f: (f / "manifest.json").write_text("{}", encoding="utf-8"))
    with pytest.raises(Exception, match="wrote no manifest"):
        artifacts.save_folder(target, lambda f: (f / "config.json").write_text("{}", encoding="utf-8"))
    assert (target / "manifest.json").exists() and not _leftovers(tmp_path)
