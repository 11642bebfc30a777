"""Keyword search (FTS5 over jieba tokens, bm25), honouring the shared Filters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from voc.store.filters import Filters
from voc.store.repository import Repository, chunks, marks


def _quoted(terms: Sequence[str]) -> str:
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(terms) if t.strip())


def fts_query(tokens: Sequence[str], grams: Sequence[str] = ()) -> str:
    """Words OR-ed over the word columns, and the query's character bigrams over the bigram column: bm25 ranks
    records matching more (and rarer) words and bigrams first."""
    words, chars = _quoted(tokens), _quoted(grams)
    parts = ([f"{{tokens context_tokens}} : ({words})"] if words else []) + ([f"grams : ({chars})"] if chars else [])
    return " OR ".join(parts)


# bm25 weights of the columns tokens, context_tokens, grams. The bigram weight was chosen on the dev split of
# bench/bench_search_quality.py (real finance questions and shopping reviews), reported on its test split.
GRAM_WEIGHT = 1.0
BM25 = f"bm25(feedback_fts, 1.0, 0.3, {GRAM_WEIGHT})"


KEYWORD_WINDOW = 5000


class SearchRepository(Repository):

    def keyword_search(
        self, tokens: Sequence[str], filters: Filters | None = None, limit: int = 100, grams: Sequence[str] = ()
    ) -> list[tuple[int, float]]:
        """(rid, bm25 score) best first; an empty token list finds nothing.

        bm25 must score every match before sorting, which costs seconds when common words match a large share
        of a million records. So the ranking runs over the newest KEYWORD_WINDOW matches (a rowid range FTS5
        can cut cheaply), widening the window when filters leave too few; small collections see every match.
        """
        match = fts_query(tokens, grams)
        if not match:
            return []
        flt = filters or Filters()
        window = KEYWORD_WINDOW
        while True:
            lo = self._window_start(match, window)
            rows = self._ranked(match, flt, lo, limit)
            if len(rows) >= limit or lo == 0 or window >= KEYWORD_WINDOW * 64:
                return rows
            window *= 8

    def _window_start(self, match: str, window: int) -> int:
        """Smallest rowid among the newest `window` matches (0 when there are fewer)."""
        row = self.query(
            "SELECT rowid FROM feedback_fts WHERE feedback_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (match, window - 1),
        )
        return int(row[0][0]) if row else 0

    def _ranked(self, match: str, flt: Filters, lo: int, limit: int) -> list[tuple[int, float]]:
        if flt.active():
            where, params = flt.where()
            sql = (
                f"SELECT f.rid, {BM25} AS score FROM feedback_fts "
                "JOIN feedback f ON f.rid = feedback_fts.rowid "
                f"WHERE feedback_fts MATCH ? AND feedback_fts.rowid >= ? AND {where} ORDER BY score LIMIT ?"
            )
            args = [match, lo, *params, limit]
        else:
            sql = (
                f"SELECT rowid, {BM25} AS score FROM feedback_fts "
                "WHERE feedback_fts MATCH ? AND rowid >= ? ORDER BY score LIMIT ?"
            )
            args = [match, lo, limit]
        return [(int(r[0]), -float(r[1])) for r in self.query(sql, args)]

    def keyword_scores(self, tokens: Sequence[str], rids: Sequence[int], grams: Sequence[str] = ()
                       ) -> dict[int, float]:
        """bm25 of given rows for the query words (rows matching none are left out): hybrid search scores
        the semantic-only candidates on the keyword side too."""
        match = fts_query(tokens, grams)
        out: dict[int, float] = {}
        if not match:
            return out
        for chunk in chunks([int(x) for x in rids]):
            sql = (
                f"SELECT rowid, {BM25} FROM feedback_fts "
                f"WHERE feedback_fts MATCH ? AND rowid IN ({marks(chunk)})"
            )
            out.update((int(r[0]), -float(r[1])) for r in self.query(sql, [match, *chunk]))
        return out

    def rids_passing(self, rids: Sequence[int], filters: Filters) -> set[int]:
        """Which of these row ids pass the filters (post-filtering an over-fetched vector search)."""
        where, params = filters.where()
        out: set[int] = set()
        for chunk in chunks([int(x) for x in rids]):
            sql = f"SELECT f.rid FROM feedback f WHERE f.rid IN ({marks(chunk)}) AND {where}"
            out.update(int(r[0]) for r in self.query(sql, [*chunk, *params]))
        return out

    def filtered_rids(self, filters: Filters, limit: int | None = None) -> list[int]:
        """Row ids passing the filters (semantic search restricts the vector index to them)."""
        where, params = filters.where()
        sql = f"SELECT f.rid FROM feedback f WHERE {where}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [int(r[0]) for r in self.query(sql, params)]

    def records_by_rid(self, rids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Result rows for search hits, with the theme label."""
        out: dict[int, dict[str, Any]] = {}
        for chunk in chunks([int(x) for x in rids]):
            for r in self.query(
                "SELECT f.rid, f.id, f.source_id, f.channel, f.subtype, f.created_at, f.text, f.rating, "
                "f.rating_scale, f.sentiment, f.sentiment_label, f.theme_id, t.label AS theme_label, f.process_step, "
                "f.branch, f.product, f.agent_id FROM feedback f LEFT JOIN themes t ON t.theme_id = f.theme_id "
                f"WHERE f.rid IN ({marks(chunk)})",
                chunk,
            ):
                out[int(r["rid"])] = dict(r)
        return out
