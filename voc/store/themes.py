"""Themes over time: the theme table, per-record assignments, monthly lineage, statistics and flags."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from voc.store.base import utcnow
from voc.store.repository import Repository, marks

# Ratings on one 0–100 scale so stars, CSAT and NPS answers can be averaged and compared.
RATING_NORM = (
    "CASE rating_scale WHEN 'nps10' THEN rating * 10.0 WHEN 'star5' THEN (rating - 1) * 25.0 "
    "WHEN 'csat5' THEN (rating - 1) * 25.0 END"
)
REPEAT_WINDOW_S = 30 * 86400


REPORT_RECORD_COLUMNS = (
    "id", "theme_id", "channel", "source", "created_at", "branch", "product", "agent_id", "sentiment_label",
    "escalation", "repeat_contact", "rating", "rating_scale", "text",
)

class ThemesRepository(Repository):

    def complaint_rows(self, month: str) -> list[dict[str, Any]]:
        """Complaint-bearing records of a month in a stable order (theme runs must be reproducible)."""
        rows = self.query(
            "SELECT rid, id, text, tokens, channel FROM feedback WHERE month = ? AND complaint = 1 ORDER BY rid",
            (month,),
        )
        return [dict(r) for r in rows]

    def complaint_counts(self) -> dict[str, int]:
        """Complaint-bearing records per month, counted in SQL (tracking checks them before every run)."""
        rows = self.query("SELECT month, count(*) FROM feedback WHERE complaint = 1 GROUP BY month")
        return {r[0]: int(r[1]) for r in rows}

    def non_complaint_rows(self, month: str) -> list[dict[str, Any]]:
        """Enriched records of a month that are no complaint (praise, questions, neutral remarks), stable order."""
        rows = self.query(
            "SELECT id, channel, created_at, text, tokens, sentiment_label FROM feedback "
            "WHERE month = ? AND complaint = 0 ORDER BY rid",
            (month,),
        )
        return [dict(r) for r in rows]

    def complaint_steps(self, month: str) -> dict[str, str]:
        rows = self.query(
            "SELECT id, process_step FROM feedback WHERE month = ? AND complaint = 1", (month,)
        )
        return {r[0]: r[1] for r in rows}

    def theme_months_done(self) -> list[str]:
        return [r[0] for r in self.query("SELECT month FROM theme_runs ORDER BY month")]

    def forget_theme_months(self, since: str) -> None:
        """Mark tracking from `since` on as not done, so the next tracking run replays those months."""
        with self.transaction() as cur:
            cur.execute("DELETE FROM theme_runs WHERE month >= ?", (since,))

    def theme_runs(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.query("SELECT * FROM theme_runs ORDER BY month")]

    def save_theme_month(
        self,
        month: str,
        themes: Sequence[dict[str, Any]],
        assignments: Sequence[tuple[str, int | None, float | None]],
        lineage: Sequence[tuple[int, str, int | None, int]],
        run: dict[str, Any],
    ) -> None:
        """One month of theme tracking in one transaction: themes, assignments, lineage and the run."""
        now = utcnow()
        with self.transaction() as cur:
            for t in themes:
                keywords = json.dumps(t.get("keywords", []), ensure_ascii=False)
                cur.execute(
                    "INSERT INTO themes (theme_id, label, keywords, process_step, first_month, last_month, size, "
                    "coherence, status, related, updated_at, kind, coverage, specificity, prior_volume) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (theme_id) DO UPDATE SET label = excluded.label, keywords = excluded.keywords, "
                    "process_step = excluded.process_step, last_month = excluded.last_month, size = excluded.size, "
                    "coherence = excluded.coherence, status = excluded.status, related = excluded.related, "
                    "updated_at = excluded.updated_at, kind = excluded.kind, coverage = excluded.coverage, "
                    "specificity = excluded.specificity, "
                    "prior_volume = COALESCE(excluded.prior_volume, themes.prior_volume)",
                    (
                        t["theme_id"], t["label"], keywords,
                        t.get("process_step"), t.get("first_month", month), t.get("last_month", month),
                        t.get("size", 0), t.get("coherence"), t.get("status", "active"), t.get("related"), now,
                        t.get("kind", "complaint"), t.get("coverage"), t.get("specificity"), t.get("prior_volume"),
                    ),
                )
                cur.execute(
                    "INSERT OR REPLACE INTO theme_labels (theme_id, month, label, keywords, size) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (t["theme_id"], month, t["label"], keywords, t.get("size", 0)),
                )
            cur.execute("UPDATE feedback SET theme_id = NULL, theme_sim = NULL WHERE month = ?", (month,))
            cur.executemany(
                "UPDATE feedback SET theme_id = ?, theme_sim = ? WHERE id = ?",
                [(tid, sim, rid) for rid, tid, sim in assignments],
            )
            cur.execute("DELETE FROM theme_lineage WHERE month = ?", (month,))
            cur.executemany(
                "INSERT INTO theme_lineage (month, theme_id, event, related, records) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [(month, tid, ev, rel, n) for tid, ev, rel, n in lineage],
            )
            cur.execute(
                "INSERT OR REPLACE INTO theme_runs (month, complaints, assigned, new_themes, stability, "
                "model_fingerprint, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (month, run["complaints"], run["assigned"], run["new_themes"], run.get("stability"),
                 run.get("fingerprint", ""), now),
            )

    def reset_themes(self) -> None:
        """Forget every theme so a rebuild replays all months from the start."""
        with self.transaction() as cur:
            for table in ("themes", "theme_runs", "theme_lineage", "theme_stats", "flags", "theme_labels"):
                cur.execute(f"DELETE FROM {table}")
            cur.execute("UPDATE feedback SET theme_id = NULL, theme_sim = NULL, repeat_contact = NULL")

    def list_themes(self) -> list[dict[str, Any]]:
        rows = self.query("SELECT * FROM themes ORDER BY theme_id")
        return [{**dict(r), "keywords": json.loads(r["keywords"])} for r in rows]

    def label_history(self, theme_id: int) -> list[dict[str, Any]]:
        """A theme's label and keywords as they were after each month (labels follow members)."""
        rows = self.query(
            "SELECT month, label, keywords, size FROM theme_labels WHERE theme_id = ? ORDER BY month", (theme_id,)
        )
        return [{**dict(r), "keywords": json.loads(r["keywords"])} for r in rows]

    def lineage(self, month: str | None = None) -> list[dict[str, Any]]:
        """The tracker's events (new, continued, split, merged, retired) and the analysts' curations as events
        of their own (curated_rename, curated_merge, curated_pin, curated_unpin, curated_split, with who and
        when), under the month that was the latest tracked when they were made (the month the review meeting
        looked at). Curations live in their own table, so a rebuild that replays the tracker's events never
        loses them."""
        sql = (
            "SELECT * FROM (SELECT month, theme_id, event, related, records, NULL AS actor, NULL AS at "
            "FROM theme_lineage UNION ALL SELECT coalesce(tracked_through, substr(at, 1, 7)), theme_id, "
            "'curated_' || action, "
            "CASE WHEN action = 'merge' THEN CAST(value AS INTEGER) END, 0, actor, at FROM theme_curations) "
        )
        if month:
            rows = self.query(sql + "WHERE month = ? ORDER BY theme_id, at", (month,))
        else:
            rows = self.query(sql + "ORDER BY month, theme_id, at")
        return [dict(r) for r in rows]

    def refresh_theme_stats(self) -> None:
        """Mark repeat contacts (same customer, same theme, within 30 days, any channel) and rebuild stats."""
        with self.transaction() as cur:
            cur.execute("UPDATE feedback SET repeat_contact = NULL WHERE repeat_contact IS NOT NULL")
            cur.execute(
                "WITH ordered AS (SELECT id, unixepoch(created_at) AS t, LAG(unixepoch(created_at)) OVER "
                "(PARTITION BY customer_key, theme_id ORDER BY created_at, id) AS prev FROM feedback "
                "WHERE customer_key IS NOT NULL AND theme_id IS NOT NULL) "
                "UPDATE feedback SET repeat_contact = (SELECT CASE WHEN o.prev IS NOT NULL AND o.t - o.prev <= ? "
                "THEN 1 ELSE 0 END FROM ordered o WHERE o.id = feedback.id) "
                "WHERE customer_key IS NOT NULL AND theme_id IS NOT NULL",
                (REPEAT_WINDOW_S,),
            )
            cur.execute("DELETE FROM theme_stats")
            cur.execute(
                "INSERT INTO theme_stats SELECT theme_id, month, channel, count(*), "
                "sum(sentiment_label = '负面'), sum(coalesce(escalation, 0)), sum(channel = 'call'), "
                "sum(customer_key IS NOT NULL), sum(coalesce(repeat_contact, 0)), "
                f"count(rating), coalesce(sum({RATING_NORM}), 0) "
                "FROM feedback WHERE theme_id IS NOT NULL GROUP BY theme_id, month, channel"
            )

    def theme_stats(self, month: str | None = None, theme_id: int | None = None) -> list[dict[str, Any]]:
        clauses, params = [], []
        if month:
            clauses.append("month = ?")
            params.append(month)
        if theme_id is not None:
            clauses.append("theme_id = ?")
            params.append(theme_id)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.query(f"SELECT * FROM theme_stats{where} ORDER BY theme_id, month, channel", params)
        return [dict(r) for r in rows]

    def month_totals(self) -> list[dict[str, Any]]:
        """All feedback and complaint-bearing feedback per month (the denominators of theme shares)."""
        rows = self.query(
            "SELECT month, count(*) AS total, sum(coalesce(complaint, 0)) AS complaints FROM feedback "
            "GROUP BY month ORDER BY month"
        )
        return [dict(r) for r in rows]

    def theme_examples(self, theme_id: int, month: str | None = None, k: int = 5) -> list[dict[str, Any]]:
        """The records closest to the theme centroid (the stored similarity), most typical first."""
        extra = " AND month = ?" if month else ""
        params: tuple = (theme_id, month, k) if month else (theme_id, k)
        rows = self.query(
            "SELECT id, source_id, channel, created_at, text, tokens, rating, rating_scale, sentiment FROM feedback "
            f"WHERE theme_id = ?{extra} ORDER BY theme_sim DESC, id LIMIT ?",
            params,
        )
        return [dict(r) for r in rows]

    def theme_record_ids(self, theme_id: int, month: str | None = None) -> list[str]:
        extra = " AND month = ?" if month else ""
        params: tuple = (theme_id, month) if month else (theme_id,)
        rows = self.query(f"SELECT id FROM feedback WHERE theme_id = ?{extra} ORDER BY created_at, id", params)
        return [r[0] for r in rows]

    def rated_in_month(self, month: str) -> list[dict[str, Any]]:
        """(rating on 0–100, scale, theme) of every rated record of a month, for key-driver analysis."""
        rows = self.query(
            f"SELECT {RATING_NORM} AS score, rating, rating_scale, theme_id FROM feedback "
            "WHERE month = ? AND rating IS NOT NULL",
            (month,),
        )
        return [dict(r) for r in rows]

    def save_flags(self, month: str, flags: Sequence[dict[str, Any]]) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM flags WHERE month = ?", (month,))
            cur.executemany(
                "INSERT INTO flags (month, theme_id, status, severity, payload) VALUES (?, ?, ?, ?, ?)",
                [
                    (month, f["theme_id"], f["status"], f["severity"], json.dumps(f, ensure_ascii=False, default=str))
                    for f in flags
                ],
            )

    def get_flags(self, month: str) -> list[dict[str, Any]]:
        """A month's flags with each theme's current name (an analyst's rename shows at once, not next run)."""
        rows = self.query(
            "SELECT f.payload, t.label FROM flags f LEFT JOIN themes t ON t.theme_id = f.theme_id WHERE f.month = ? "
            "ORDER BY f.status = 'resolved', f.severity DESC, f.theme_id", (month,)
        )
        out = []
        for payload, label in rows:
            flag = json.loads(payload)
            flag["label"] = label or flag.get("label")
            out.append(flag)
        return out

    def flag_months(self) -> list[str]:
        return [r[0] for r in self.query("SELECT DISTINCT month FROM flags ORDER BY month")]

    def month_channel_totals(self) -> list[dict[str, Any]]:
        """All and complaint-bearing feedback per month and channel (the exposure of theme flags)."""
        rows = self.query(
            "SELECT month, channel, count(*) AS total, sum(coalesce(complaint, 0)) AS complaints FROM feedback "
            "GROUP BY month, channel ORDER BY month, channel"
        )
        return [dict(r) for r in rows]

    def theme_record_rows(self, month: str, theme_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The records of some themes in a month (redacted text included), in a stable order for spreadsheets."""
        if not theme_ids:
            return []
        rows = self.query(
            f"SELECT {', '.join(REPORT_RECORD_COLUMNS)} FROM feedback "
            f"WHERE month = ? AND theme_id IN ({marks(theme_ids)}) ORDER BY theme_id, created_at, id",
            [month, *theme_ids],
        )
        return [dict(r) for r in rows]
