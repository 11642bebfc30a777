"""The fix registry (what the review meeting decided to change, for which themes, shipped when) and the log of
alerts already sent, so an alert goes out once per channel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from voc.store.base import utcnow
from voc.store.repository import Repository


class FixesRepository(Repository):

    def add_fix(self, title: str, shipped: str, theme_ids: Sequence[int], step: str | None = None,
                owner: str | None = None) -> int:
        """Register a shipped fix for one or more themes; returns its id."""
        with self.transaction() as cur:
            cur.execute("INSERT INTO fixes (title, step, owner, shipped, created_at) VALUES (?, ?, ?, ?, ?)",
                        (title, step, owner, shipped, utcnow()))
            fix_id = int(cur.lastrowid)
            cur.executemany("INSERT OR IGNORE INTO fix_themes (fix_id, theme_id) VALUES (?, ?)",
                            [(fix_id, int(t)) for t in theme_ids])
        return fix_id

    def list_fixes(self, include_closed: bool = True) -> list[dict[str, Any]]:
        """Every fix with its theme ids, oldest first."""
        where = "" if include_closed else "WHERE status = 'open'"
        fixes = [dict(r) for r in self.query(f"SELECT * FROM fixes {where} ORDER BY fix_id")]
        themes: dict[int, list[int]] = {}
        for r in self.query("SELECT fix_id, theme_id FROM fix_themes ORDER BY fix_id, theme_id"):
            themes.setdefault(r[0], []).append(r[1])
        return [{**f, "theme_ids": themes.get(f["fix_id"], [])} for f in fixes]

    def close_fix(self, fix_id: int) -> bool:
        """Mark a fix closed (its verification stays in reports); False if there is no such open fix."""
        with self.transaction() as cur:
            cur.execute("UPDATE fixes SET status = 'closed', closed_at = ? WHERE fix_id = ? AND status = 'open'",
                        (utcnow(), fix_id))
            return cur.rowcount > 0

    def alerts_sent(self, channel: str) -> set[str]:
        return {r[0] for r in self.query("SELECT alert_key FROM alerts_sent WHERE channel = ?", (channel,))}

    def mark_alerts_sent(self, channel: str, keys: Sequence[str]) -> None:
        with self.transaction() as cur:
            cur.executemany("INSERT OR IGNORE INTO alerts_sent (alert_key, channel, sent_at) VALUES (?, ?, ?)",
                            [(k, channel, utcnow()) for k in keys])
