from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from voc.errors import StoreError
from voc.schema import Record, Turn
from voc.store import Filters, QuarantineItem, Store
from voc.store.migrations import LATEST


def make_record(i: int, channel: str = "rating", month: str = "2026-03") -> Record:
    return Record(
        source="app_store",
        source_id=str(i),
        channel=channel,
        created_at=f"{month}-05T10:00:00+08:00",
        text=f"转账限额太低 第{i}条",
        tokens="转账 限额 太低",
        rating=1.0,
        rating_scale="star5",
        turns=[Turn(0, "customer", "你好"), Turn(1, "agent", "您好")] if channel == "call" else [],
    )


def test_migration_from_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "voc.db"
    path.touch()
    with Store.open(path) as store:
        assert store.schema_version == LATEST
        assert store.records.count_records() == 0
        assert store.query("PRAGMA journal_mode")[0][0] == "wal"


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "voc.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={LATEST + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this voc"):
        Store.open(path)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "voc.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store.open(path)


def test_upsert_is_idempotent(tmp_path: Path) -> None:
    with Store.open(tmp_path / "voc.db") as store:
        records = [make_record(i) for i in range(10)] + [make_record(3)]
        assert store.records.upsert_records(records) == (10, 1)
        assert store.records.upsert_records(records) == (0, 11)
        assert store.records.count_records() == 10


def test_turns_stored_with_call(tmp_path: Path) -> None:
    with Store.open(tmp_path / "voc.db") as store:
        rec = make_record(1, channel="call")
        store.records.upsert_records([rec])
        store.records.upsert_records([rec])
        turns = store.records.get_turns(rec.id)
        assert [(t["idx"], t["speaker"]) for t in turns] == [(0, "customer"), (1, "agent")]


def test_write_batch_counts_and_cursor(tmp_path: Path) -> None:
    with Store.open(tmp_path / "voc.db") as store:
        run = store.runs.start_run("app_store", "ratings", "x.csv")
        q = [QuarantineItem("app_store", "x.csv", "line 3", "rating '五星' is not a number", "五星")]
        res = store.runs.write_batch(run, [make_record(1), make_record(1)], q, {("app_store", "x.csv"): {"line": 3}})
        assert (res.new, res.updated, res.duplicates) == (1, 0, 1)
        info = store.runs.finish_run(run)
        assert (info["read"], info["new"], info["duplicates"], info["quarantined"]) == (3, 1, 1, 1)
        assert info["read"] == info["new"] + info["duplicates"] + info["quarantined"]
        assert store.runs.get_cursor("app_store", "x.csv") == {"line": 3}
        assert store.runs.list_quarantine()[0]["reason"] == "rating '五星' is not a number"


def test_failed_batch_leaves_nothing(tmp_path: Path) -> None:
    with Store.open(tmp_path / "voc.db") as store:
        bad = make_record(2)
        bad.channel = "fax"  # violates the CHECK constraint after record 1 was inserted
        run = store.runs.start_run("s", "ratings")
        with pytest.raises(sqlite3.IntegrityError):
            store.runs.write_batch(run, [make_record(1), bad], cursors={("s", "f"): 1})
        assert store.records.count_records() == 0
        assert store.runs.get_cursor("s", "f") is None
        # nothing of the failed batch lingers to be written with the next one
        assert store.runs.write_batch(run, [make_record(3)]).new == 1
        assert [r["source_id"] for r in store.records.iter_records()] == ["3"]


def test_filters_and_streaming(tmp_path: Path) -> None:
    with Store.open(tmp_path / "voc.db") as store:
        store.records.upsert_records([make_record(i, month="2026-03") for i in range(5)])
        store.records.upsert_records([make_record(i + 100, channel="call", month="2026-04") for i in range(3)])
        assert store.records.count_records(Filters(month="2026-04")) == 3
        assert store.records.count_records(Filters(channel="rating")) == 5
        rows = list(store.records.iter_records(Filters(month="2026-03"), batch=2))
        assert len(rows) == 5 and all(r["month"] == "2026-03" for r in rows)
        assert store.records.months() == ["2026-03", "2026-04"]


def test_fts_follows_inserts_and_deletes(tmp_path: Path) -> None:
    with Store.open(tmp_path / "voc.db") as store:
        rec = make_record(1)
        store.records.upsert_records([rec])
        assert store.query("SELECT count(*) FROM feedback_fts WHERE feedback_fts MATCH '限额'")[0][0] == 1
        store.records.delete_records([rec.id], kind="record", subject_hash="h")
        assert store.query("SELECT count(*) FROM feedback_fts WHERE feedback_fts MATCH '限额'")[0][0] == 0
        assert store.query("SELECT records FROM erasures")[0][0] == 1


def test_batch_keeps_input_order_and_indexes_every_row(tmp_path: Path) -> None:
    words = ["密码", "闪退", "年费", "排队", "理财"]
    records = []
    for i, word in enumerate(words):
        rec = make_record(i)
        rec.tokens = f"{word} 客服"
        records.append(rec)
    with Store.open(tmp_path / "voc.db") as store:
        store.records.upsert_records([make_record(9)])
        assert store.records.upsert_records([records[4], records[0], make_record(9), *records[1:4]]) == (5, 1)
        rids = store.records.rids_for([r.id for r in records])
        assert sorted(rids, key=rids.__getitem__) == [records[i].id for i in (4, 0, 1, 2, 3)]
        for rec, word in zip(records, words, strict=True):
            hits = store.query("SELECT rowid FROM feedback_fts WHERE feedback_fts MATCH ?", (word,))
            assert [h[0] for h in hits] == [rids[rec.id]]
        assert store.query("SELECT count(*) FROM feedback_fts WHERE feedback_fts MATCH '客服'")[0][0] == 5


def test_readonly_connection_reads_while_writer_open(tmp_path: Path) -> None:
    path = tmp_path / "voc.db"
    writer = Store.open(path)
    writer.records.upsert_records([make_record(1)])
    reader = Store.open(path, readonly=True)
    assert reader.records.count_records() == 1
    with pytest.raises(StoreError):
        reader.records.upsert_records([make_record(2)])
    writer.close()
    reader.close()


def test_killed_write_leaves_database_consistent(tmp_path: Path) -> None:
    """A writer killed with SIGKILL mid-stream leaves only whole batches behind."""
    path = tmp_path / "voc.db"
    Store.open(path).close()
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})
        from voc.store import Store
        from voc.schema import Record
        store = Store.open({str(path)!r})
        i = 0
        while True:
            batch = [Record(source="s", source_id=str(i * 500 + j), channel="rating",
                            created_at="2026-03-05T10:00:00+08:00", text="排队太久" * 20,
                            tokens="排队 太久") for j in range(500)]
            store.records.upsert_records(batch)
            i += 1
            if i == 2:
                print("ready", flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Store.open(path) as store:
        assert store.integrity_ok()
        n = store.records.count_records()
        assert n >= 1000 and n % 500 == 0
        fts = store.query("SELECT count(*) FROM feedback_fts WHERE feedback_fts MATCH '排队'")[0][0]
        assert fts == n
