"""Erasure in the database: rows of every table that holds a person's data, the FTS index, free pages, the WAL.

``voc.erasure`` drives a forget; this mixin is its SQL. Deleting a feedback row deletes its turns (foreign key
cascade) and its FTS entries (trigger); ``fts_optimize`` then merges the FTS segments so the deleted terms are
gone from ``feedback_fts_data`` too, ``secure_delete`` (set on every writer) zeroes the freed pages, and a
``wal_checkpoint(TRUNCATE)`` empties the WAL that still held the old page images.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from voc.store.base import utcnow
from voc.store.repository import Repository, chunks, marks


class ErasureRepository(Repository):

    def erasure_rows(self, record_ids: Sequence[str]) -> list[dict[str, Any]]:
        """What an erasure needs to know of the records before they go: row ids, months, tokens, texts."""
        out: list[dict[str, Any]] = []
        for chunk in chunks(list(record_ids)):
            out += [dict(r) for r in self.query(
                f"SELECT rid, id, month, text, tokens, context_tokens FROM feedback WHERE id IN ({marks(chunk)})", chunk
            )]
        return out

    def erase_records(
        self, record_ids: Sequence[str], customer_key: str | None, kind: str, subject_hash: str
    ) -> dict[str, int]:
        """Delete the records, their turns and FTS entries, the customer's quarantined rows and the records'
        ids in stored flag evidence, in one transaction; the erasure is logged without personal data."""
        counts = {"feedback": 0, "turns": 0, "quarantine": 0, "flags": 0}
        ids = list(record_ids)
        with self.transaction() as cur:
            for chunk in chunks(ids):
                counts["turns"] += cur.execute(
                    f"SELECT count(*) FROM turns WHERE call_id IN ({marks(chunk)})", chunk
                ).fetchone()[0]
                cur.execute(f"DELETE FROM feedback WHERE id IN ({marks(chunk)})", chunk)
                counts["feedback"] += cur.rowcount
            if customer_key:
                cur.execute("DELETE FROM quarantine WHERE customer_key = ?", (customer_key,))
                counts["quarantine"] = cur.rowcount
            counts["flags"] = _strip_flag_examples(cur, set(ids))
            cur.execute(
                "INSERT INTO erasures (kind, subject_hash, records, at) VALUES (?, ?, ?, ?)",
                (kind, subject_hash, counts["feedback"], utcnow()),
            )
        return counts

    def fts_optimize(self) -> None:
        """Merge the FTS index into one segment: deleted documents' terms leave ``feedback_fts_data``."""
        with self.transaction() as cur:
            cur.execute("INSERT INTO feedback_fts (feedback_fts) VALUES ('optimize')")

    def fts_terms(self) -> set[str]:
        """Every term the FTS index holds (read through an fts5vocab table over the index itself)."""
        self.db.maintain(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.feedback_terms USING fts5vocab(main, feedback_fts, row)"
        )
        return {r[0] for r in self.query("SELECT term FROM temp.feedback_terms")}

    def term_used(self, term: str) -> bool:
        """Whether any stored record still has this token (tokens or context tokens)."""
        phrase = '"' + term.replace('"', '""') + '"'
        try:
            rows = self.query("SELECT 1 FROM feedback_fts WHERE feedback_fts MATCH ? LIMIT 1", (phrase,))
        except Exception:  # a term FTS cannot parse as a phrase is treated as used (kept out of residue checks)
            return True
        return bool(rows)

    def text_used(self, word: str) -> bool:
        """Whether any stored record's text or turn still contains this string (a full scan: ask rarely)."""
        rows = self.query(
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM feedback WHERE instr(text, ?) > 0) "
            "OR EXISTS (SELECT 1 FROM turns WHERE instr(text, ?) > 0)",
            (word, word),
        )
        return bool(rows)

    def wipe_free_pages(self) -> bool:
        """VACUUM once for a database that was written before voc set secure_delete (its free pages may still
        hold deleted text); True when it ran."""
        if self.db.get_meta("secure_delete_since"):
            return False
        self.db.maintain("VACUUM")
        self.db.set_meta("secure_delete_since", f"vacuum {utcnow()}")
        return True

    def checkpoint(self) -> dict[str, int]:
        """Copy the WAL into the database and truncate it; ``busy`` is 1 when a reader kept it from finishing."""
        busy, log, done = self.db.maintain("PRAGMA wal_checkpoint(TRUNCATE)")[0]
        return {"busy": int(busy), "wal_frames": int(log), "checkpointed": int(done)}

    def prune_theme_words(self, words: set[str]) -> int:
        """Drop words from theme labels and keywords (words only erased records used); returns themes changed."""
        changed = 0
        with self.transaction() as cur:
            for theme_id, label, keywords in cur.execute("SELECT theme_id, label, keywords FROM themes").fetchall():
                new_label, new_keywords = prune_words(label, json.loads(keywords), words)
                if new_label != label or len(new_keywords) != len(json.loads(keywords)):
                    cur.execute("UPDATE themes SET label = ?, keywords = ? WHERE theme_id = ?",
                                (new_label, json.dumps(new_keywords, ensure_ascii=False), theme_id))
                    changed += 1
            history = cur.execute("SELECT theme_id, month, label, keywords FROM theme_labels").fetchall()
            for theme_id, month, label, keywords in history:
                new_label, new_keywords = prune_words(label, json.loads(keywords), words)
                if new_label != label or len(new_keywords) != len(json.loads(keywords)):
                    cur.execute("UPDATE theme_labels SET label = ?, keywords = ? WHERE theme_id = ? AND month = ?",
                                (new_label, json.dumps(new_keywords, ensure_ascii=False), theme_id, month))
        return changed

    # reports written from the store's data, so an erasure can find and rewrite them ------------------------

    def register_report(self, path: str, month: str, fmt: str) -> None:
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO reports (path, month, format, written_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (path) DO UPDATE SET month = excluded.month, format = excluded.format, "
                "written_at = excluded.written_at",
                (path, month, fmt, utcnow()),
            )

    def written_reports(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.query("SELECT * FROM reports ORDER BY month, path")]

    def unregister_report(self, path: str) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM reports WHERE path = ?", (path,))


LABEL_SEP = " · "
NO_KEYWORDS = "（无关键词）"


def prune_words(label: str, keywords: list[Any], words: set[str]) -> tuple[str, list[Any]]:
    """A theme label ("a · b") and keyword list ([w, ...] or [[w, score], ...]) without the given words (or any
    keyword containing one: a keyword may be a longer word the erased records' tokens are part of)."""

    def erased(word: str) -> bool:
        return any(w in word for w in words)

    kept = [k for k in keywords if not erased(k[0] if isinstance(k, list | tuple) else k)]
    parts = [p for p in label.split(LABEL_SEP) if not erased(p)]
    return (LABEL_SEP.join(parts) if parts else NO_KEYWORDS), kept


def _strip_flag_examples(cur: sqlite3.Cursor, ids: set[str]) -> int:
    """Remove erased record ids from the example lists saved with each month's flags; returns rows changed."""
    changed = 0
    for month, theme_id, payload in cur.execute("SELECT month, theme_id, payload FROM flags").fetchall():
        data = json.loads(payload)
        examples = data.get("example_ids") or []
        kept = [e for e in examples if e not in ids]
        if len(kept) != len(examples):
            data["example_ids"] = kept
            cur.execute(
                "UPDATE flags SET payload = ? WHERE month = ? AND theme_id = ?",
                (json.dumps(data, ensure_ascii=False), month, theme_id),
            )
            changed += 1
    return changed
