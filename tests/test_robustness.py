"""Killed ingests, waiting writers and file modes: what a bank's operations team runs into."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voc.cli import app
from voc.errors import StoreError
from voc.store import Store
from voc.workspace import Workspace

SCRIPT = """
import sys
from ingest.ratings import RatingsIngestor
from ingest.runner import run_ingestor
from voc.store import Store
with Store.open(sys.argv[1]) as store:
    run_ingestor(store, RatingsIngestor(sys.argv[2], scale="star5"), batch_size=200, workers=2, progress=False)
"""


def _children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killed_ingest_leaves_no_workers_and_reads_aborted(workspace: Workspace, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    text = "转账限额太低了，手机银行又闪退"
    rows = ["编号,时间,评分,评价内容"] + [f"{i},2026-03-05 10:00,4,{text}第{i}次" for i in range(60_000)]
    big.write_text("\n".join(rows) + "\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(workspace.db_path), str(big)])
    deadline = time.monotonic() + 120
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        workers = _children(proc.pid)
        time.sleep(0.1)
    assert len(workers) >= 2, "the ingest started its workers"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(_gone(w) for w in workers):
        time.sleep(0.1)
    assert all(_gone(w) for w in workers), "workers die with their parent"
    with Store.open(workspace.db_path, readonly=True) as store:
        assert store.runs.last_runs()[0]["status"] == "aborted"  # shown so before any writer marks it
    with Store.open(workspace.db_path) as store:  # a writer marks it for good
        row = store.query("SELECT status, message FROM ingest_runs ORDER BY run_id DESC LIMIT 1")[0]
    assert row["status"] == "aborted" and "killed" in row["message"]


def test_a_held_lock_ends_in_one_line_after_the_timeout(workspace: Workspace) -> None:
    holder = sqlite3.connect(workspace.db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store.open(workspace.db_path, lock_timeout=0.2) as store, pytest.raises(StoreError, match="locked"):
            store.set_meta("x", "1")
        toml = workspace.config_path.read_text(encoding="utf-8").replace("lock_timeout = 30.0", "lock_timeout = 0.2")
        workspace.config_path.write_text(toml, encoding="utf-8")
        csv_file = workspace.home / "r.csv"
        csv_file.write_text("编号,时间,评分,评价内容\n1,2026-03-05,4,好\n", encoding="utf-8")
        res = CliRunner().invoke(app, ["ingest", "ratings", str(csv_file), "--home", str(workspace.home)])
        assert res.exit_code != 0 and isinstance(res.exception, StoreError)
        assert "lock_timeout" in str(res.exception) and "\n" not in str(res.exception)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_secrets_and_database_are_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        ws = Workspace.init(tmp_path / "ws")
        with Store.open(ws.db_path) as store:
            store.set_meta("k", "v")
            assert _mode(ws.db_path) == 0o600
            for suffix in ("-wal", "-shm"):
                side = ws.db_path.with_name(ws.db_path.name + suffix)
                assert not side.exists() or _mode(side) == 0o600, suffix
    finally:
        os.umask(old)
    assert _mode(ws.config_path) == 0o600 and _mode(ws.home) == 0o700
    ws.config_path.chmod(0o644)
    Workspace.open(ws.home)
    assert _mode(ws.config_path) == 0o600  # an older, world-readable voc.toml is tightened


def test_secure_delete_is_on_for_writers(workspace: Workspace) -> None:
    with Store.open(workspace.db_path) as store:
        assert store.conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
