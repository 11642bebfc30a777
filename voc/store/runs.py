"""Ingest runs, quarantine and source cursors: the bookkeeping that lets pulls resume and lose nothing."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from voc.schema import Record
from voc.store.base import utcnow
from voc.store.records import RecordsRepository, WriteResult
from voc.store.repository import Database, Repository


def process_alive(pid: int | None) -> bool:
    """Whether a process with this id exists (a run without a pid predates the column: taken as dead)."""
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _run(row: sqlite3.Row) -> dict[str, Any]:
    """A run as shown: a 'running' run whose process is gone reads 'aborted' even before a writer marks it."""
    out = dict(row)
    if out["status"] == "running" and not process_alive(out.get("pid")):
        out["status"] = "aborted"
    return out


@dataclass(frozen=True)
class QuarantineItem:
    """A row, line, file or API item that could not become a record, with a reason a person can act on."""

    source: str
    file: str
    locator: str
    reason: str
    excerpt: str = ""
    customer_key: str | None = None  # so erasing a customer reaches their quarantined rows too

    def message(self) -> str:
        where = f"{self.file} {self.locator}".strip()
        return f"{where}: {self.reason}" if where else self.reason


class RunsRepository(Repository):
    def __init__(self, db: Database, records: RecordsRepository) -> None:
        super().__init__(db)
        self.records = records  # a run's batch writes its records in the run's own transaction

    def start_run(self, source: str, kind: str, location: str = "") -> int:
        """A new run marked 'running' with this process id, so a killed run can be told from a live one."""
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO ingest_runs (source, kind, location, started_at, pid) VALUES (?, ?, ?, ?, ?)",
                (source, kind, location, utcnow(), os.getpid()),
            )
            return int(cur.lastrowid or 0)

    def dead_runs(self) -> list[int]:
        """Runs still marked 'running' whose process is gone (killed, crashed, machine restarted)."""
        rows = self.query("SELECT run_id, pid FROM ingest_runs WHERE status = 'running'")
        return [r["run_id"] for r in rows if not process_alive(r["pid"])]

    def mark_aborted_runs(self) -> int:
        """Finish every dead 'running' run as 'aborted'; done whenever a writer opens the store."""
        dead = self.dead_runs()
        if dead:
            with self.transaction() as cur:
                cur.executemany(
                    "UPDATE ingest_runs SET status = 'aborted', finished_at = ?, "
                    "message = 'the ingest process ended without finishing (killed or crashed)' "
                    "WHERE run_id = ? AND status = 'running'",
                    [(utcnow(), run_id) for run_id in dead],
                )
        return len(dead)

    def write_batch(
        self,
        run_id: int,
        records: Sequence[Record],
        quarantined: Sequence[QuarantineItem] = (),
        cursors: dict[tuple[str, str], Any] | None = None,
        on_changed: str = "update",
        conflict: Callable[[Record], QuarantineItem] | None = None,
    ) -> WriteResult:
        """Records, quarantine entries, cursor moves and run counters in one transaction.

        A crash before COMMIT leaves none of it, so a resumed pull re-reads exactly this batch. A stored id
        with different content becomes a new version, or (``on_changed="quarantine"``) a quarantine entry
        made by ``conflict``.
        """
        with self.transaction() as cur:
            res: WriteResult = self.records.insert_records(cur, records, run_id, on_changed)
            items = list(quarantined)
            for rec in res.conflicts:
                items.append(conflict(rec) if conflict else QuarantineItem(
                    rec.source, "", f"record {rec.source_id}",
                    "already stored with different content; the stored version was kept (ingest.on_changed)",
                ))
            for item in items:
                cur.execute(
                    "INSERT INTO quarantine (run_id, source, file, locator, reason, excerpt, created_at, "
                    "customer_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (run_id, item.source, item.file, item.locator, item.reason, item.excerpt, utcnow(),
                     item.customer_key),
                )
            for (source, key), value in (cursors or {}).items():
                cur.execute(
                    "INSERT INTO cursors (source, key, value, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    (source, key, json.dumps(value, ensure_ascii=False, sort_keys=True), utcnow()),
                )
            cur.execute(
                "UPDATE ingest_runs SET read = read + ?, new = new + ?, updated = updated + ?, "
                "duplicates = duplicates + ?, quarantined = quarantined + ? WHERE run_id = ?",
                (len(records) + len(quarantined), res.new, res.updated, res.duplicates, len(items), run_id),
            )
        return res

    def finish_run(self, run_id: int, status: str = "ok", message: str = "") -> dict[str, Any]:
        with self.transaction() as cur:
            cur.execute(
                "UPDATE ingest_runs SET finished_at = ?, status = ?, message = ? WHERE run_id = ?",
                (utcnow(), status, message, run_id),
            )
        return self.get_run(run_id)

    def get_run(self, run_id: int) -> dict[str, Any]:
        rows = self.query("SELECT * FROM ingest_runs WHERE run_id = ?", (run_id,))
        return _run(rows[0]) if rows else {}

    def last_runs(self, limit: int = 10) -> list[dict[str, Any]]:
        rows = self.query("SELECT * FROM ingest_runs ORDER BY run_id DESC LIMIT ?", (limit,))
        return [_run(r) for r in rows]

    def last_run_per_source(self) -> list[dict[str, Any]]:
        rows = self.query(
            "SELECT r.* FROM ingest_runs r JOIN (SELECT source, max(run_id) AS run_id FROM ingest_runs "
            "GROUP BY source) m ON m.run_id = r.run_id ORDER BY r.source"
        )
        return [_run(r) for r in rows]

    def list_quarantine(self, limit: int = 100, source: str | None = None) -> list[dict[str, Any]]:
        if source:
            rows = self.query(
                "SELECT * FROM quarantine WHERE source = ? ORDER BY qid DESC LIMIT ?", (source, limit)
            )
        else:
            rows = self.query("SELECT * FROM quarantine ORDER BY qid DESC LIMIT ?", (limit,))
        return [dict(r) for r in rows]

    def quarantine_count(self) -> int:
        return int(self.query("SELECT count(*) FROM quarantine")[0][0])

    def get_cursor(self, source: str, key: str) -> Any:
        rows = self.query("SELECT value FROM cursors WHERE source = ? AND key = ?", (source, key))
        return json.loads(rows[0][0]) if rows else None

    def get_cursors(self, source: str | None = None) -> list[dict[str, Any]]:
        if source:
            rows = self.query("SELECT * FROM cursors WHERE source = ? ORDER BY key", (source,))
        else:
            rows = self.query("SELECT * FROM cursors ORDER BY source, key")
        return [{**dict(r), "value": json.loads(r["value"])} for r in rows]

    def quarantine_by_source(self) -> list[dict[str, Any]]:
        """How many inputs each source quarantined (counts only: excerpts may hold unredacted text)."""
        rows = self.query("SELECT source, count(*) AS n FROM quarantine GROUP BY source ORDER BY source")
        return [dict(r) for r in rows]
