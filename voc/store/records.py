"""Feedback records and call turns: idempotent batch writes, lookups, streaming reads, erasure."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from voc.schema import Record
from voc.store.base import utcnow
from voc.store.filters import Filters
from voc.store.repository import Repository, chunks, marks
from voc.text.grams import char_grams

_FEEDBACK_COLUMNS = (
    "id, channel, subtype, source, source_id, created_at, month, text, tokens, context_tokens, grams, rating, "
    "rating_scale, customer_key, agent_id, branch, product, scene, extra, run_id, ingested_at, content_hash, version"
)
# New rows are staged in a per-connection temp table, then moved into feedback by one INSERT ... SELECT.
# A statement that fires the FTS trigger opens a savepoint, and FTS5 flushes its pending terms into a new
# segment at every savepoint: one statement per row (executemany) wrote a segment per row and spent most of
# its time merging them, one statement per batch writes one. The trigger stays the only FTS writer.
_STAGE_FEEDBACK = f"CREATE TEMP TABLE IF NOT EXISTS feedback_v13_stage ({_FEEDBACK_COLUMNS})"
_INSERT_STAGE = f"INSERT INTO temp.feedback_v13_stage ({_FEEDBACK_COLUMNS}) VALUES ({', '.join('?' * 23)})"
_MOVE_STAGE = f"""
INSERT INTO feedback ({_FEEDBACK_COLUMNS})
SELECT {_FEEDBACK_COLUMNS} FROM temp.feedback_v13_stage WHERE true ORDER BY rowid
ON CONFLICT (id) DO NOTHING
"""
_INSERT_TURN = """
INSERT INTO turns (call_id, idx, speaker, start, "end", text) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (call_id, idx) DO NOTHING
"""
# What makes two versions of a record the same: everything read from the source, not what voc derived
# (tokens change with the dictionary, which must not turn a re-read into a new version).
_CONTENT_COLUMNS = (
    "channel, subtype, source, source_id, created_at, text, rating, rating_scale, customer_key, agent_id, "
    "branch, product, scene, extra"
)
UPDATE, QUARANTINE = "update", "quarantine"
ON_CHANGED = (UPDATE, QUARANTINE)


@dataclass
class WriteResult:
    """What a batch write did: new ids, new versions of stored ids, unchanged duplicates, conflicts."""

    new: int = 0
    updated: int = 0
    duplicates: int = 0
    conflicts: list[Record] = field(default_factory=list)


def content_hash(values: Sequence[Any], turns: Iterable[Sequence[Any]]) -> str:
    """sha1 of a record's content columns (in _CONTENT_COLUMNS order) and its turns (speaker, start, end, text)."""
    h = hashlib.sha1()
    for v in values:
        h.update(repr(v).encode())
        h.update(b"\x1f")
    for t in turns:
        h.update(repr(tuple(t)).encode())
        h.update(b"\x1e")
    return h.hexdigest()


def _extra_json(rec: Record) -> str:
    return json.dumps(rec.extra, ensure_ascii=False, sort_keys=True) if rec.extra else "{}"


def record_hash(rec: Record) -> str:
    values = (
        rec.channel, rec.subtype, rec.source, rec.source_id, rec.created_at, rec.text,
        None if rec.rating is None else float(rec.rating), rec.rating_scale, rec.customer_key, rec.agent_id,
        rec.branch, rec.product, rec.scene, _extra_json(rec),
    )
    return content_hash(values, ((t.speaker, t.start, t.end, t.text) for t in rec.turns))


EXPORT_COLUMNS = (
    "id", "channel", "subtype", "source", "source_id", "created_at", "month", "text", "rating",
    "rating_scale", "customer_key", "agent_id", "branch", "product", "scene", "extra",
    "sentiment", "sentiment_label", "sentiment_cues", "sentiment_snownlp", "escalation",
    "theme_id", "theme_label", "process_step",
)


def _feedback_row(rec: Record, rec_id: str, run_id: int | None, now: str, digest: str, version: int) -> tuple:
    return (
        rec_id, rec.channel, rec.subtype, rec.source, rec.source_id, rec.created_at, rec.month, rec.text,
        rec.tokens, rec.context_tokens, char_grams(rec.text), rec.rating, rec.rating_scale, rec.customer_key,
        rec.agent_id, rec.branch, rec.product, rec.scene, _extra_json(rec), run_id, now, digest, version,
    )


class RecordsRepository(Repository):

    def _stored_hashes(self, cur: sqlite3.Cursor, ids: list[str]) -> dict[str, tuple[str, int]]:
        """(content hash, version) of the stored ids; rows older than content hashes get theirs computed."""
        out: dict[str, tuple[str, int]] = {}
        legacy: list[str] = []
        for chunk in chunks(ids):
            for rid, digest, version in cur.execute(
                f"SELECT id, content_hash, version FROM feedback WHERE id IN ({marks(chunk)})", chunk
            ).fetchall():
                out[rid] = (digest, version)
                if digest is None:
                    legacy.append(rid)
        for rid in legacy:
            values = cur.execute(f"SELECT {_CONTENT_COLUMNS} FROM feedback WHERE id = ?", (rid,)).fetchone()
            turns = cur.execute(
                'SELECT speaker, start, "end", text FROM turns WHERE call_id = ? ORDER BY idx', (rid,)
            ).fetchall()
            out[rid] = (content_hash(tuple(values), turns), out[rid][1])
        return out

    def insert_records(
        self, cur: sqlite3.Cursor, records: Sequence[Record], run_id: int | None, on_changed: str = UPDATE
    ) -> WriteResult:
        """Insert inside an open transaction: new ids, new versions of changed ones, nothing for exact repeats.

        A stored id arriving with different content is never dropped: with ``on_changed="update"`` it replaces
        the stored row as its next version (a new row id, so it is enriched, themed and embedded again);
        with ``"quarantine"`` it is returned in ``conflicts`` and the stored version stays. The new rows reach
        feedback (and, by its trigger, the FTS index) in one statement through the stage table, in input order.
        """
        if on_changed not in ON_CHANGED:
            raise ValueError(f"on_changed must be one of {ON_CHANGED}, not {on_changed!r}")
        result = WriteResult()
        now = utcnow()
        ids = [rec.id for rec in records]  # a sha1 per access: computed once here
        stored = self._stored_hashes(cur, list(dict.fromkeys(ids)))
        rows: dict[str, tuple[Record, str, int]] = {}
        for rec_id, rec in zip(ids, records, strict=True):
            digest = record_hash(rec)
            seen = rows.get(rec_id)
            before = (seen[1], seen[2]) if seen else stored.get(rec_id)
            if before is None:
                rows[rec_id] = (rec, digest, 1)
                result.new += 1
            elif before[0] == digest:
                result.duplicates += 1
            elif on_changed == QUARANTINE:
                result.conflicts.append(rec)
            else:
                rows[rec_id] = (rec, digest, before[1] + 1)
                result.updated += 1
        replaced = [rec_id for rec_id in rows if rec_id in stored]
        for chunk in chunks(replaced):
            cur.execute(f"DELETE FROM feedback WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        if not rows:
            return result
        cur.execute(_STAGE_FEEDBACK)
        cur.executemany(_INSERT_STAGE, [
            _feedback_row(rec, rec_id, run_id, now, digest, version) for rec_id, (rec, digest, version) in rows.items()
        ])
        cur.execute(_MOVE_STAGE)
        cur.execute("DELETE FROM temp.feedback_v13_stage")
        turn_rows = [
            (rec_id, t.idx, t.speaker, t.start, t.end, t.text)
            for rec_id, (rec, _, _) in rows.items()
            for t in rec.turns
        ]
        if turn_rows:
            cur.executemany(_INSERT_TURN, turn_rows)
        return result

    def backfill_grams(self, batch: int = 5000) -> int:
        """Give records stored before character bigrams existed theirs (FTS follows by its trigger).

        Runs once per workspace: new records get their bigrams when stored, so after a complete pass the
        table scan is skipped.
        """
        if self.db.get_meta("grams_backfilled"):
            return 0
        done = 0
        while True:
            rows = self.query("SELECT rid, text FROM feedback WHERE grams = '' AND text != '' LIMIT ?", (batch,))
            values = [(char_grams(r["text"]) or " ", int(r["rid"])) for r in rows]
            if not values:
                self.db.set_meta("grams_backfilled", utcnow())
                return done
            with self.transaction() as cur:
                cur.executemany("UPDATE feedback SET grams = ? WHERE rid = ?", values)
            done += len(values)

    def upsert_records(
        self, records: Sequence[Record], run_id: int | None = None, on_changed: str = UPDATE
    ) -> tuple[int, int]:
        """Write a batch in one transaction; (new, duplicates). Loading the same input twice adds nothing."""
        with self.transaction() as cur:
            res = self.insert_records(cur, records, run_id, on_changed)
        return res.new, res.duplicates

    def count_records(self, flt: Filters | None = None) -> int:
        where, params = (flt or Filters()).where()
        return int(self.query(f"SELECT count(*) FROM feedback f WHERE {where}", params)[0][0])

    def has_record(self, record_id: str) -> bool:
        return bool(self.query("SELECT 1 FROM feedback WHERE id = ?", (record_id,)))

    def get_record(self, record_id: str) -> dict[str, Any] | None:
        """One record with every stored and derived field, or None."""
        rows = self.query(
            f"SELECT {_select_columns()} FROM feedback f LEFT JOIN themes t ON t.theme_id = f.theme_id "
            "WHERE f.id = ?",
            (record_id,),
        )
        return _decode(rows[0]) if rows else None

    def get_records(self, record_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Records by id, in the order asked (missing ids skipped)."""
        if not record_ids:
            return []
        out: dict[str, dict[str, Any]] = {}
        for chunk in chunks(list(record_ids)):
            for row in self.query(
                f"SELECT {_select_columns()} FROM feedback f LEFT JOIN themes t ON t.theme_id = f.theme_id "
                f"WHERE f.id IN ({marks(chunk)})",
                chunk,
            ):
                out[row["id"]] = _decode(row)
        return [out[i] for i in record_ids if i in out]

    def get_turns(self, call_id: str) -> list[dict[str, Any]]:
        rows = self.query(
            'SELECT idx, speaker, start, "end", text, sentiment FROM turns WHERE call_id = ? ORDER BY idx',
            (call_id,),
        )
        return [dict(r) for r in rows]

    def iter_records(self, flt: Filters | None = None, batch: int = 5000) -> Iterator[dict[str, Any]]:
        """Stream records in a stable order (created_at, id) without loading the table into memory."""
        where, params = (flt or Filters()).where()
        sql = (
            f"SELECT {_select_columns()} FROM feedback f LEFT JOIN themes t ON t.theme_id = f.theme_id"
            f" WHERE {where} ORDER BY f.created_at, f.id"
        )
        for row in self.db.stream(sql, params, batch):
            yield _decode(row)

    def counts_by_channel_month(self) -> list[dict[str, Any]]:
        rows = self.query(
            "SELECT channel, month, count(*) AS n FROM feedback GROUP BY channel, month ORDER BY month, channel"
        )
        return [dict(r) for r in rows]

    def months(self) -> list[str]:
        return [r[0] for r in self.query("SELECT DISTINCT month FROM feedback ORDER BY month")]

    def record_ids_for_customer(self, customer_key: str) -> list[str]:
        rows = self.query("SELECT id FROM feedback WHERE customer_key = ?", (customer_key,))
        return [r[0] for r in rows]

    def rids_for(self, record_ids: Sequence[str]) -> dict[str, int]:
        """Integer row ids (the keys of the vector index) for record ids."""
        out: dict[str, int] = {}
        for chunk in chunks(list(record_ids)):
            for row in self.query(f"SELECT id, rid FROM feedback WHERE id IN ({marks(chunk)})", chunk):
                out[row[0]] = row[1]
        return out

    def delete_records(self, record_ids: Sequence[str], kind: str, subject_hash: str) -> int:
        """Erase records with their turns and search entries, and log the erasure without personal data."""
        with self.transaction() as cur:
            n = 0
            for chunk in chunks(list(record_ids)):
                cur.execute(f"DELETE FROM feedback WHERE id IN ({marks(chunk)})", chunk)
                n += cur.rowcount
            cur.execute(
                "INSERT INTO erasures (kind, subject_hash, records, at) VALUES (?, ?, ?, ?)",
                (kind, subject_hash, n, utcnow()),
            )
        return n


def _select_columns() -> str:
    cols = [f"f.{c}" for c in EXPORT_COLUMNS if c != "theme_label"]
    return ", ".join([*cols, "t.label AS theme_label", "f.rid"])


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    out["extra"] = json.loads(out["extra"]) if out.get("extra") else {}
    if out.get("sentiment_cues"):
        out["sentiment_cues"] = json.loads(out["sentiment_cues"])
    return out

