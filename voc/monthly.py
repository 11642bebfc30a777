"""The numbers of a month, shared by `voc flags`, the report and the dashboard so they always agree."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any

import numpy as np

from voc.errors import VocError
from voc.flags import Flag, FlagRules, ThemeEvidence, ThemeSeries, flags_for_month, rating_impact
from voc.store import Store
from voc.topics.themes import GENERIC

KPI_KEYS = ("volume", "complaints", "negative_share", "nps", "mean_star", "csat", "escalations", "escalation_rate",
            "repeat_rate")


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def kpis(row: dict[str, Any]) -> dict[str, Any]:
    """KPIs from summed counts: negative share, NPS, mean stars, CSAT (share 4–5), escalation and repeat rates."""
    nps = _ratio(row["promoters"] - row["detractors"], row["nps_n"])
    return {
        "volume": row["volume"],
        "complaints": row["complaints"],
        "negative_share": _ratio(row["negative"], row["volume"]),
        "nps": None if nps is None else 100 * nps,
        "mean_star": _ratio(row["star_sum"], row["star_n"]),
        "csat": _ratio(row["csat_satisfied"], row["csat_n"]),
        "escalations": row["escalations"],
        "escalation_rate": _ratio(row["escalations"], row["calls"]),
        "repeat_rate": _ratio(row["repeats"], row["keyed"]),
    }


def month_overview(store: Store, month: str, history: int = 12) -> dict[str, Any]:
    """KPIs per channel and overall for a month, the previous month, and a history for sparklines."""
    rows = store.stats.kpi_rows()
    months = sorted({r["month"] for r in rows})
    if month not in months:
        raise VocError(f"no data for {month}: months with data are {', '.join(months) or 'none'}")
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(int))
    by_channel: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for r in rows:
        for k, v in r.items():
            if k not in ("month", "channel"):
                totals[r["month"]][k] += v or 0
        by_channel[r["month"]][r["channel"]] = kpis(r)
    i = months.index(month)
    prev = months[i - 1] if i > 0 else None
    current, before = kpis(totals[month]), kpis(totals[prev]) if prev else None
    delta = {k: (current[k] - before[k]) if before and current[k] is not None and before[k] is not None else None
             for k in KPI_KEYS}
    window = months[max(0, i - history + 1) : i + 1]
    return {
        "month": month,
        "previous_month": prev,
        "total": current,
        "previous": before,
        "delta": delta,
        "channels": by_channel[month],
        "previous_channels": by_channel.get(prev, {}) if prev else {},
        "series": [{"month": m, **kpis(totals[m])} for m in window],
        "channel_series": {m: by_channel[m] for m in window},
    }


def theme_series(store: Store) -> list[ThemeSeries]:
    """Each theme's monthly complaint volume, overall and per channel, aligned with all months and their totals."""
    totals = store.themes.month_totals()
    months = tuple(t["month"] for t in totals)
    pos = {m: i for i, m in enumerate(months)}
    by_channel = store.themes.month_channel_totals()
    channels = tuple(sorted({r["channel"] for r in by_channel}))
    cpos = {c: k for k, c in enumerate(channels)}
    complaints = [[0] * len(months) for _ in channels]
    for r in by_channel:
        complaints[cpos[r["channel"]]][pos[r["month"]]] = r["complaints"] or 0
    counts: dict[int, list[list[int]]] = defaultdict(lambda: [[0] * len(months) for _ in channels])
    for r in store.themes.theme_stats():
        counts[r["theme_id"]][cpos[r["channel"]]][pos[r["month"]]] += r["volume"]
    out = []
    for t in store.themes.list_themes():
        rows = counts[t["theme_id"]]
        out.append(ThemeSeries(
            t["theme_id"], months, tuple(sum(col) for col in zip(*rows, strict=True)) if rows else (0,) * len(months),
            tuple(x["total"] for x in totals), tuple(x["complaints"] for x in totals), t["first_month"] or months[0],
            kind=t.get("kind") or "complaint", channels=channels, channel_counts=tuple(tuple(r) for r in rows),
            channel_complaints=tuple(tuple(r) for r in complaints), prior_volume=t.get("prior_volume"),
        ))
    return out


def theme_quotes(store: Store, theme: dict[str, Any], month: str | None, k: int = 5) -> list[dict[str, Any]]:
    """A theme's evidence: its most central records that use a theme keyword, no two alike.

    The generic bucket (泛泛抱怨) is never quoted: a rant says nothing about what to fix.
    """
    if theme.get("kind") == GENERIC:
        return []
    words = set(theme.get("keywords", [])[:5])
    candidates = store.themes.theme_examples(theme["theme_id"], month, 8 * k)
    picked: list[dict[str, Any]] = []
    seen: set[str] = set()
    for with_keyword in (True, False):
        for row in candidates:
            key = "".join(ch for ch in row["text"] if ch.isalnum())
            if key in seen or bool(words & set((row.get("tokens") or "").split())) != with_keyword:
                continue
            seen.add(key)
            picked.append(row)
            if len(picked) == k:
                return picked
    return picked


def _detractor(score: float, scale: str) -> bool:
    return score <= 60 if scale == "nps10" else score <= 25


def theme_evidence(store: Store, month: str, rules: FlagRules, examples: int = 5) -> dict[int, ThemeEvidence]:
    """Channels, negativity, repeats, escalations, rating impact and examples of every theme in a month."""
    themes = {t["theme_id"]: t for t in store.themes.list_themes()}
    agg: dict[int, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    by_channel: dict[int, dict[str, int]] = defaultdict(dict)
    for r in store.themes.theme_stats(month=month):
        a = agg[r["theme_id"]]
        for k in ("volume", "negative", "escalations", "calls", "keyed", "repeats"):
            a[k] += r[k]
        by_channel[r["theme_id"]][r["channel"]] = r["volume"]
    rated = store.themes.rated_in_month(month)
    scores = np.array([r["score"] for r in rated], dtype=float)
    tids = np.array([r["theme_id"] if r["theme_id"] is not None else -1 for r in rated])
    detractor = np.array([_detractor(r["score"], r["rating_scale"]) for r in rated], dtype=bool)
    out = {}
    for tid, theme in themes.items():
        a = agg.get(tid, {})
        mask = tids == tid
        impact = rating_impact(scores[mask], scores[~mask], rules.min_rating_n,
                               int((detractor & mask).sum()), int(detractor.sum())) if len(scores) else None
        out[tid] = ThemeEvidence(
            label=theme["label"],
            keywords=theme["keywords"][:8],
            process_step=theme["process_step"] or "other",
            volume_by_channel=by_channel.get(tid, {}),
            negative_share=_ratio(a.get("negative", 0), a.get("volume", 0)),
            repeat_contact_rate=_ratio(a.get("repeats", 0), a.get("keyed", 0)),
            escalation_share=_ratio(a.get("escalations", 0), a.get("calls", 0)),
            rating_impact=impact,
            example_ids=[e["id"] for e in theme_quotes(store, theme, month, examples)] if a else [],
        )
    return out


def compute_flags(store: Store, month: str, rules: FlagRules, save: bool = True) -> list[Flag]:
    """The month's flags from the stored theme statistics; saved so the report and dashboard read the same."""
    series = theme_series(store)
    if not series:
        raise VocError("no themes yet: run `voc themes` first")
    if month not in series[0].months:
        raise VocError(f"no data for {month}: months with data are {', '.join(series[0].months)}")
    flags = flags_for_month(series, month, theme_evidence(store, month, rules), rules)
    if save:
        store.themes.save_flags(month, [f.to_dict() for f in flags])
    return flags


def rules_from_settings(settings: Any) -> FlagRules:
    """FlagRules from the `[flags]` settings section: every setting there is a rule field of the same name."""
    return FlagRules(**dataclasses.asdict(settings.flags))
