"""`voc enrich --engine ray`: the same labels, steps and vectors as the local engine, and a killed worker costs
nothing.

The Ray tests start a local Ray (2 CPUs) once for the module and are slow; the argument checks are not.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voc.engine import LocalEngine, make_engine
from voc.errors import VocError
from voc.sentiment import LexiconScorer

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
FIELDS = "id, sentiment, sentiment_label, sentiment_cues, escalation, complaint, process_step"


def voc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "voc", *args], capture_output=True, text=True, timeout=900)


def test_unknown_engine_is_a_one_line_error() -> None:
    with pytest.raises(VocError, match="unknown engine 'spark'"):
        make_engine("spark")
    with pytest.raises(VocError, match="--address needs --engine ray"):
        make_engine("local", address="ray://head:10001")


def test_cli_engine_errors_name_the_option(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert voc("init", "--home", str(home)).returncode == 0
    proc = voc("enrich", "--home", str(home), "--engine", "spark")
    assert proc.returncode != 0
    assert "unknown engine 'spark'" in proc.stderr and "Traceback" not in proc.stderr
    proc = voc("enrich", "--home", str(home), "--engine", "ray", "--workers", "0")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and "--workers" in proc.stderr


def test_an_unreachable_cluster_fails_at_once_with_one_line() -> None:
    pytest.importorskip("ray.data")
    from voc.ray_engine import check_reachable

    with pytest.raises(VocError, match=r"cannot reach the Ray cluster at 127\.0\.0\.1:9"):
        make_engine("ray", address="127.0.0.1:9")
    with pytest.raises(VocError, match="not host:port"):
        check_reachable("ray-head-without-port")
    check_reachable("auto")  # Ray finds the cluster itself


def test_local_engine_maps_in_order() -> None:
    assert list(LocalEngine().map(lambda x: x + 1, range(3))) == [1, 2, 3]


class CrashOnce(LexiconScorer):
    """Kills the worker process the first time it scores (a marker file remembers it across processes)."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker

    def score_many(self, texts):  # type: ignore[no-untyped-def]
        if not os.path.exists(self.marker):
            Path(self.marker).write_text(str(os.getpid()))
            os._exit(1)
        return super().score_many(texts)


@pytest.fixture(scope="module")
def ray_engine():
    pytest.importorskip("ray.data")
    import ray.cloudpickle

    from voc.ray_engine import RayEngine

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers do not import the tests
    engine = RayEngine(num_cpus=2, window=4)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def trained_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's ratings and two months of calls, ingested and trained through the CLI."""
    home = tmp_path_factory.mktemp("ray") / "ws"
    for args in (("init",), ("ingest", "ratings", str(SAMPLE / "ratings" / "app_store.csv")),
                 ("ingest", "ratings", str(SAMPLE / "ratings" / "nps_survey.csv")),
                 ("ingest", "calls", str(SAMPLE / "calls" / "2026-09")),
                 ("ingest", "calls", str(SAMPLE / "calls" / "2026-10")),
                 ("ingest", "social", str(SAMPLE / "social" / "posts.jsonl")),
                 ("sentiment", "train")):
        proc = voc(*args, "--home", str(home))
        assert proc.returncode == 0, proc.stderr
    return home


def _rows(home: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(home / "voc.db") as conn:
        return conn.execute(sql).fetchall()


def _vectors(home: Path) -> tuple[np.ndarray, np.ndarray]:
    from voc.index import VectorIndex

    index = VectorIndex.load(home / "index")
    ids = np.sort(index.ids())
    return ids, np.stack([index.reconstruct(int(i)) for i in ids])


@pytest.mark.slow
def test_ray_enrichment_equals_local_record_by_record(trained_home: Path, ray_engine, tmp_path: Path) -> None:
    from voc import pipeline
    from voc.store import Store
    from voc.workspace import Workspace

    homes = {}
    for name in ("local", "ray"):
        homes[name] = tmp_path / name
        shutil.copytree(trained_home, homes[name])
        shutil.rmtree(homes[name] / "index")  # both re-embed every record, so embedding runs on the engine too
        with sqlite3.connect(homes[name] / "voc.db") as conn:
            conn.execute("UPDATE feedback SET sentiment = NULL, sentiment_label = NULL, process_step = NULL")
        ws = Workspace.open(homes[name])
        with Store.open(ws.db_path) as store:
            engine = ray_engine if name == "ray" else None
            result = pipeline.enrich_workspace(ws, store, only_new=False, engine=engine)
        assert result["engine"] == name
        assert result["indexed"] == result["records"]
    local = _rows(homes["local"], f"SELECT {FIELDS} FROM feedback ORDER BY id")
    remote = _rows(homes["ray"], f"SELECT {FIELDS} FROM feedback ORDER BY id")
    assert len(local) > 10_000
    assert {r[0] for r in local} == {r[0] for r in remote}
    assert sum(r[2] is None for r in remote) == 0
    assert local == remote
    turns = "SELECT call_id, idx, sentiment FROM turns ORDER BY call_id, idx"
    assert _rows(homes["local"], turns) == _rows(homes["ray"], turns)
    ids_l, vec_l = _vectors(homes["local"])
    ids_r, vec_r = _vectors(homes["ray"])
    assert np.array_equal(ids_l, ids_r)
    np.testing.assert_allclose(vec_l, vec_r, atol=1e-5)


@pytest.mark.slow
def test_a_killed_worker_is_retried_and_nothing_is_lost(ray_engine, tmp_path: Path) -> None:
    from builders import build_workspace

    from voc.enrich import enrich
    from voc.store import Store
    from voc.taxonomy import Taxonomy

    built = build_workspace(tmp_path / "ws")
    marker = tmp_path / "crashed"
    with Store.open(built.ws.db_path) as store:
        expected = {r["id"]: r for r in store.query(f"SELECT {FIELDS} FROM feedback")}
        result = enrich(store, CrashOnce(str(marker)), Taxonomy.load(), only_new=False, engine=ray_engine)
        got = {r["id"]: r for r in store.query(f"SELECT {FIELDS} FROM feedback")}
    assert marker.exists()  # a worker did die
    assert int(marker.read_text()) != os.getpid()
    assert result.records == len(built.records)
    assert {k: tuple(v) for k, v in got.items()} == {k: tuple(v) for k, v in expected.items()}
