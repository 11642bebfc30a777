"""Writes of derived fields: sentiment, escalation, complaint flag, process step, per-turn sentiment."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from voc.store.base import utcnow
from voc.store.repository import Repository, chunks, marks


@dataclass(frozen=True)
class Enrichment:
    """Derived fields of one record, written together so a record is either enriched or not."""

    id: str
    sentiment: float
    sentiment_label: str
    cues: Sequence[str]
    escalation: bool | None
    complaint: bool
    process_step: str


class EnrichmentRepository(Repository):

    def iter_for_enrichment(self, only_new: bool = True, batch: int = 2000) -> Iterator[list[dict[str, Any]]]:
        """Batches of records still to enrich (or all with only_new=False), with what the scorers read."""
        where = " WHERE enriched_at IS NULL" if only_new else ""
        last = 0
        while True:
            rows = self.query(
                "SELECT rid, id, channel, text, tokens, rating, rating_scale FROM feedback"
                f"{where}{' AND' if where else ' WHERE'} rid > ? ORDER BY rid LIMIT ?",
                (last, batch),
            )
            if not rows:
                return
            last = rows[-1]["rid"]
            yield [dict(r) for r in rows]

    def count_unenriched(self) -> int:
        return int(self.query("SELECT count(*) FROM feedback WHERE enriched_at IS NULL")[0][0])

    def customer_turns(self, call_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """All turns of these calls, grouped by call, in order."""
        out: dict[str, list[dict[str, Any]]] = {cid: [] for cid in call_ids}
        for chunk in chunks(call_ids):
            for row in self.query(
                f"SELECT call_id, idx, speaker, text FROM turns WHERE call_id IN ({marks(chunk)}) "
                "ORDER BY call_id, idx",
                chunk,
            ):
                out[row["call_id"]].append(dict(row))
        return out

    def write_enrichment(
        self, rows: Sequence[Enrichment], turn_sentiments: Sequence[tuple[str, int, float]] = ()
    ) -> None:
        now = utcnow()
        with self.transaction() as cur:
            cur.executemany(
                "UPDATE feedback SET sentiment = ?, sentiment_label = ?, sentiment_cues = ?, escalation = ?, "
                "complaint = ?, process_step = ?, enriched_at = ? WHERE id = ?",
                [
                    (
                        r.sentiment, r.sentiment_label, json.dumps(list(r.cues), ensure_ascii=False),
                        None if r.escalation is None else int(r.escalation),
                        int(r.complaint), r.process_step, now, r.id,
                    )
                    for r in rows
                ],
            )
            if turn_sentiments:
                cur.executemany(
                    "UPDATE turns SET sentiment = ? WHERE call_id = ? AND idx = ?",
                    [(s, cid, idx) for cid, idx, s in turn_sentiments],
                )

    def iter_rated(self, batch: int = 5000) -> Iterator[Any]:
        """Records carrying a rating, streamed in a fixed order: the weak labels the sentiment model learns from."""
        return self.db.stream("SELECT text, rating, rating_scale FROM feedback WHERE rating IS NOT NULL ORDER BY rid",
                              (), batch)

    def count_rated(self) -> int:
        return int(self.query("SELECT count(*) FROM feedback WHERE rating IS NOT NULL")[0][0])

    def unrated_texts(self, limit: int = 50_000) -> list[str]:
        """Texts of records without a rating (calls, social posts, unrated comments), a spread sample.

        The sentiment model adapts to these by self-training; ordering by a multiplicative hash of the row id
        gives the same spread sample every time without reading every row.
        """
        sql = (
            "SELECT text FROM feedback WHERE rating IS NULL AND text != '' "
            "ORDER BY (rid * 2654435761) % 4294967296 LIMIT ?"
        )
        return [r[0] for r in self.query(sql, (int(limit),))]

    def count_unrated(self) -> int:
        return self.query("SELECT count(*) FROM feedback WHERE rating IS NULL AND text != ''")[0][0]

    def iter_missing_snownlp(self, month: str | None = None, batch: int = 1000) -> Iterator[list[dict[str, Any]]]:
        last = 0
        extra = " AND month = ?" if month else ""
        while True:
            params: tuple = (last, month, batch) if month else (last, batch)
            rows = self.query(
                f"SELECT rid, id, text FROM feedback WHERE sentiment_snownlp IS NULL AND rid > ?{extra} "
                "ORDER BY rid LIMIT ?",
                params,
            )
            if not rows:
                return
            last = rows[-1]["rid"]
            yield [dict(r) for r in rows]

    def write_snownlp(self, rows: Sequence[tuple[str, float]]) -> None:
        with self.transaction() as cur:
            cur.executemany("UPDATE feedback SET sentiment_snownlp = ? WHERE id = ?", [(s, i) for i, s in rows])

    def iter_texts(self, batch: int = 5000, after_rid: int = 0) -> Iterator[list[dict[str, Any]]]:
        """(rid, id, text, tokens) in rid order: what the embedder fits on and the index holds."""
        last = after_rid
        while True:
            rows = self.query(
                "SELECT rid, id, text, tokens FROM feedback WHERE rid > ? ORDER BY rid LIMIT ?", (last, batch)
            )
            if not rows:
                return
            last = rows[-1]["rid"]
            yield [dict(r) for r in rows]

    def all_rids(self) -> list[int]:
        return [r[0] for r in self.query("SELECT rid FROM feedback ORDER BY rid")]

    def texts_for_rids(self, rids: Sequence[int]) -> list[dict[str, Any]]:
        out = []
        for chunk in chunks([int(x) for x in rids]):
            sql = f"SELECT rid, id, text, tokens FROM feedback WHERE rid IN ({marks(chunk)})"
            out += [dict(r) for r in self.query(sql, chunk)]
        return out
