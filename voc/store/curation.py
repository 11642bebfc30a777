"""Analysts' corrections to the themes the machine found: renames, merges and pins, with who and when.

They live apart from the theme tables, so forgetting themes for a rebuild keeps them, and the tracker applies
them again to every month it replays.
"""

from __future__ import annotations

from typing import Any

from voc.store.base import utcnow
from voc.store.repository import Database, Repository
from voc.store.themes import ThemesRepository


class CurationsRepository(Repository):
    def __init__(self, db: Database, themes: ThemesRepository) -> None:
        super().__init__(db)
        self.themes = themes  # a curation changes theme assignments, so it refreshes their statistics

    def add_curation(self, theme_id: int, action: str, value: str | None, actor: str) -> int:
        """Record one curation and show it at once (label, merged records); the tracker keeps it on replays."""
        with self.transaction() as cur:
            # the last month tracked when the analyst decided: a replay applies the decision from the month after
            # it (a split: that month), so a rebuild walks the same path and gives every theme the same id
            cur.execute("INSERT INTO theme_curations (theme_id, action, value, actor, at, tracked_through) "
                        "VALUES (?, ?, ?, ?, ?, (SELECT max(month) FROM theme_runs))",
                        (theme_id, action, value, actor, utcnow()))
            cid = int(cur.lastrowid)
            if action in ("rename", "pin") and value:
                cur.execute("UPDATE themes SET label = ? WHERE theme_id = ?", (value, theme_id))
            if action == "merge" and value:
                into = int(value)
                cur.execute("UPDATE feedback SET theme_id = ? WHERE theme_id = ?", (into, theme_id))
                cur.execute("UPDATE themes SET status = 'merged', related = ? WHERE theme_id = ?", (into, theme_id))
                cur.execute("DELETE FROM flags")  # derived from the old split of records: recomputed on demand
        if action == "merge":
            self.themes.refresh_theme_stats()
        return cid

    def apply_curations(self) -> None:
        """Make the theme tables say what the analysts decided (after a tracking run or a rebuild)."""
        state = self.curated_state()
        with self.transaction() as cur:
            for tid, name in state["names"].items():
                cur.execute("UPDATE themes SET label = ? WHERE theme_id = ?", (name, tid))
            for old, into in state["merges"].items():
                cur.execute("UPDATE feedback SET theme_id = ? WHERE theme_id = ?", (into, old))
                cur.execute("UPDATE themes SET status = 'merged', related = ? WHERE theme_id = ?", (into, old))

    def curations(self) -> list[dict[str, Any]]:
        """Every curation, oldest first."""
        return [dict(r) for r in self.query("SELECT * FROM theme_curations ORDER BY curation_id")]

    def curated_state(self, month: str | None = None) -> dict[str, Any]:
        """What holds now: names (rename or pin), pinned ids, merges (old id -> id it lives on in) and the
        analysts' splits (tracked month -> theme ids to split when that month is tracked).

        With `month`: the merges and pins the tracker applies when it tracks that month, i.e. those decided
        after an earlier month had been tracked (or before any was).
        """
        names: dict[int, str] = {}
        pinned: set[int] = set()
        merges: dict[int, int] = {}
        splits: dict[str, set[int]] = {}
        for c in self.curations():
            tid = int(c["theme_id"])
            later = month is not None and c["tracked_through"] is not None and c["tracked_through"] >= month
            if later and c["action"] in ("merge", "pin", "unpin"):
                continue
            if c["action"] == "rename":
                names[tid] = c["value"]
            elif c["action"] == "pin":
                pinned.add(tid)
                if c["value"]:
                    names.setdefault(tid, c["value"])
            elif c["action"] == "unpin":
                pinned.discard(tid)
            elif c["action"] == "merge":
                merges[tid] = int(c["value"])
            elif c["action"] == "split":
                splits.setdefault(c["value"], set()).add(tid)
        return {"names": names, "pinned": pinned, "merges": {a: _final(b, merges) for a, b in merges.items()},
                "splits": splits}


def _final(tid: int, merges: dict[int, int]) -> int:
    """Follow merge chains (A into B, B into C) to the theme that holds the records now."""
    seen = set()
    while tid in merges and tid not in seen:
        seen.add(tid)
        tid = merges[tid]
    return tid
