"""Ingest runs, quarantine and source cursors: the bookkeeping that lets pulls resume and lose nothing."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from voc.schema import Record
from voc.store.base import utcnow


@dataclass(frozen=True)
class QuarantineItem:
    """A row, line, file or API item that could not become a record, with a reason a person can act on."""

    source: str
    file: str
    locator: str
    reason: str
    excerpt: str = ""

    def message(self) -> str:
        where = f"{self.file} {self.locator}".strip()
        return f"{where}: {self.reason}" if where else self.reason


class RunsMixin:
    conn: sqlite3.Connection

    def start_run(self, source: str, kind: str, location: str = "") -> int:
        with self.transaction() as cur:  # type: ignore[attr-defined]
            cur.execute(
                "INSERT INTO ingest_runs (source, kind, location, started_at) VALUES (?, ?, ?, ?)",
                (source, kind, location, utcnow()),
            )
            return int(cur.lastrowid or 0)

    def write_batch(
        self,
        run_id: int,
        records: Sequence[Record],
        quarantined: Sequence[QuarantineItem] = (),
        cursors: dict[tuple[str, str], Any] | None = None,
    ) -> tuple[int, int]:
        """Records, quarantine entries, cursor moves and run counters in one transaction.

        A crash before COMMIT leaves none of it, so a resumed pull re-reads exactly this batch.
        """
        with self.transaction() as cur:  # type: ignore[attr-defined]
            new = self._insert_records(cur, records, run_id)  # type: ignore[attr-defined]
            dup = len(records) - new
            q_new = 0
            for item in quarantined:
                cur.execute(
                    "INSERT INTO quarantine (run_id, source, file, locator, reason, excerpt, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    (run_id, item.source, item.file, item.locator, item.reason, item.excerpt, utcnow()),
                )
                q_new += cur.rowcount
            for (source, key), value in (cursors or {}).items():
                cur.execute(
                    "INSERT INTO cursors (source, key, value, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                    (source, key, json.dumps(value, ensure_ascii=False, sort_keys=True), utcnow()),
                )
            cur.execute(
                "UPDATE ingest_runs SET read = read + ?, new = new + ?, duplicates = duplicates + ?, "
                "quarantined = quarantined + ? WHERE run_id = ?",
                (len(records) + len(quarantined), new, dup, len(quarantined), run_id),
            )
        return new, dup

    def finish_run(self, run_id: int, status: str = "ok", message: str = "") -> dict[str, Any]:
        with self.transaction() as cur:  # type: ignore[attr-defined]
            cur.execute(
                "UPDATE ingest_runs SET finished_at = ?, status = ?, message = ? WHERE run_id = ?",
                (utcnow(), status, message, run_id),
            )
        return self.get_run(run_id)

    def get_run(self, run_id: int) -> dict[str, Any]:
        rows = self.query("SELECT * FROM ingest_runs WHERE run_id = ?", (run_id,))  # type: ignore[attr-defined]
        return dict(rows[0]) if rows else {}

    def last_runs(self, limit: int = 10) -> list[dict[str, Any]]:
        rows = self.query("SELECT * FROM ingest_runs ORDER BY run_id DESC LIMIT ?", (limit,))  # type: ignore[attr-defined]
        return [dict(r) for r in rows]

    def last_run_per_source(self) -> list[dict[str, Any]]:
        rows = self.query(  # type: ignore[attr-defined]
            "SELECT r.* FROM ingest_runs r JOIN (SELECT source, max(run_id) AS run_id FROM ingest_runs "
            "GROUP BY source) m ON m.run_id = r.run_id ORDER BY r.source"
        )
        return [dict(r) for r in rows]

    def list_quarantine(self, limit: int = 100, source: str | None = None) -> list[dict[str, Any]]:
        if source:
            rows = self.query(  # type: ignore[attr-defined]
                "SELECT * FROM quarantine WHERE source = ? ORDER BY qid DESC LIMIT ?", (source, limit)
            )
        else:
            rows = self.query("SELECT * FROM quarantine ORDER BY qid DESC LIMIT ?", (limit,))  # type: ignore[attr-defined]
        return [dict(r) for r in rows]

    def quarantine_count(self) -> int:
        return int(self.query("SELECT count(*) FROM quarantine")[0][0])  # type: ignore[attr-defined]

    def get_cursor(self, source: str, key: str) -> Any:
        rows = self.query("SELECT value FROM cursors WHERE source = ? AND key = ?", (source, key))  # type: ignore[attr-defined]
        return json.loads(rows[0][0]) if rows else None

    def get_cursors(self, source: str | None = None) -> list[dict[str, Any]]:
        if source:
            rows = self.query("SELECT * FROM cursors WHERE source = ? ORDER BY key", (source,))  # type: ignore[attr-defined]
        else:
            rows = self.query("SELECT * FROM cursors ORDER BY source, key")  # type: ignore[attr-defined]
        return [{**dict(r), "value": json.loads(r["value"])} for r in rows]
