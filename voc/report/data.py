"""Everything the monthly report shows, gathered once from the store so the three formats cannot disagree."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voc import artifacts
from voc.errors import VocError
from voc.fixes import verify as verify_fixes
from voc.monthly import compute_flags, month_overview, rules_from_settings, theme_series
from voc.report.analysis import ACTIVE_STATUSES, agent_review, rank_steps
from voc.store import Store
from voc.taxonomy import Taxonomy
from voc.workspace import Workspace

log = logging.getLogger(__name__)

# (key, Chinese name, kind, which direction is good news)
KPI_SPECS = (
    ("volume", "反馈总量", "count", None),
    ("negative_share", "负面占比", "share", "down"),
    ("nps", "NPS", "score", "up"),
    ("mean_star", "平均评分（5星）", "decimal", "up"),
    ("csat", "CSAT 满意率", "share", "up"),
    ("escalations", "电话升级数", "count", "down"),
    ("escalation_rate", "电话升级率", "share", "down"),
    ("repeat_rate", "二次咨询率", "share", "down"),
)
BREAKDOWN_DIMS = (("channel", "渠道"), ("branch", "网点"), ("product", "产品"))
EXAMPLES = 5


@dataclass
class ReportData:
    """The numbers and texts of one month's report; renderers only format what is here."""

    month: str
    previous_month: str | None
    window: list[str]
    kpis: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    themes: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    resolved: list[dict[str, Any]]
    breakdowns: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    notes: dict[str, Any]
    records: list[dict[str, Any]] = field(default_factory=list)
    other_themes: list[dict[str, Any]] = field(default_factory=list)
    fixes: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def load_flags(ws: Workspace, store: Store, month: str) -> list[dict[str, Any]]:
    """Saved flags of the month; computed on the spot (never saved: this is a read path) if there are none."""
    flags = store.themes.get_flags(month)
    if flags or month in store.themes.flag_months():
        return flags
    if not store.themes.list_themes():
        log.info("no themes in the workspace: the report has no flagged themes")
        return []
    return [f.to_dict() for f in compute_flags(store, month, rules_from_settings(ws.settings), save=False)]


def _kpis(ov: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"key": key, "name": name, "kind": kind, "good": good, "value": ov["total"][key],
         "previous": ov["previous"][key] if ov["previous"] else None, "delta": ov["delta"][key],
         "series": [s[key] for s in ov["series"]]}
        for key, name, kind, good in KPI_SPECS
    ]


def _channels(ov: dict[str, Any]) -> list[dict[str, Any]]:
    names = sorted(set(ov["channels"]) | set(ov["previous_channels"]))
    out = []
    for ch in names:
        cur, prev = ov["channels"].get(ch, {}), ov["previous_channels"].get(ch, {})
        volume, before = cur.get("volume", 0), prev.get("volume") if ov["previous_month"] else None
        out.append({
            "channel": ch, "volume": volume, "previous": before,
            "delta": None if before is None else volume - before,
            "negative_share": cur.get("negative_share"), "repeat_rate": cur.get("repeat_rate"),
            "series": [ov["channel_series"][m].get(ch, {}).get("volume", 0) for m in ov["channel_series"]],
        })
    return out


def _series_by_theme(store: Store, window: list[str]) -> dict[int, list[int]]:
    out = {}
    for s in theme_series(store):
        pos = {m: i for i, m in enumerate(s.months)}
        out[s.theme_id] = [s.counts[pos[m]] if m in pos else 0 for m in window]
    return out


def _themes(store: Store, flags: list[dict[str, Any]], series: dict[int, list[int]], tax: Taxonomy
            ) -> list[dict[str, Any]]:
    """Every active flag, most severe first, with its series and examples (the report shows the first few)."""
    active = [f for f in flags if f["status"] in ACTIVE_STATUSES]
    active.sort(key=lambda f: (-f["severity"], f["theme_id"]))
    out = []
    for f in active:
        examples = store.records.get_records(f.get("example_ids", [])[:EXAMPLES])
        out.append({
            **f, "step_name": tax.name(f["process_step"]), "series": series.get(f["theme_id"], []),
            "examples": [{"id": r["id"], "channel": r["channel"], "created_at": r["created_at"], "text": r["text"]}
                         for r in examples],
        })
    return out


def _fixes(store: Store, month: str, tax: Taxonomy) -> list[dict[str, Any]]:
    """Registered fixes shipped by this month with their verdict (voc.fixes), step names for display."""
    return [{**f, "step_name": tax.name(f["step"]) if f.get("step") else "—"} for f in verify_fixes(store, month)]


def _resolved(flags: list[dict[str, Any]], series: dict[int, list[int]], tax: Taxonomy) -> list[dict[str, Any]]:
    out = []
    for f in flags:
        if "resolved" not in f["statuses"]:
            continue
        ev = f["evidence"]["resolved"]
        out.append({
            "theme_id": f["theme_id"], "label": f["label"], "process_step": f["process_step"],
            "step_name": tax.name(f["process_step"]), "volume": f["volume"], **ev,
            "series": series.get(f["theme_id"], []),
        })
    out.sort(key=lambda r: (r["ratio"], r["theme_id"]))
    return out


def _breakdowns(store: Store, month: str, themes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [t["theme_id"] for t in themes]
    out = []
    for dim, name in BREAKDOWN_DIMS:
        rows: dict[str, dict[str, Any]] = {}
        for r in store.stats.breakdown(month, dim, ids) if ids else []:
            row = rows.setdefault(r["value"], {"value": r["value"], "total": 0, "negative": 0, "escalations": 0,
                                               "by_theme": {}})
            row["total"] += r["n"]
            row["negative"] += r["negative"] or 0
            row["escalations"] += r["escalations"] or 0
            row["by_theme"][r["theme_id"]] = r["n"]
        ordered = sorted(rows.values(), key=lambda r: (-r["total"], r["value"]))
        out.append({"dimension": dim, "name": name, "rows": ordered})
    return out


def _models(models_dir: Path, month: str) -> list[dict[str, Any]]:
    """Manifests of the models behind the numbers: top-level folders, and the month's theme snapshot."""
    found = []
    if not models_dir.is_dir():
        return found
    for folder in sorted(p for p in models_dir.iterdir() if p.is_dir()):
        path = folder / "manifest.json"
        if not path.exists():
            snaps = sorted(p for p in folder.glob("*/manifest.json") if p.parent.name <= month)
            if not snaps:
                continue
            path = snaps[-1]
        try:
            m = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            log.warning("unreadable manifest %s: %s", path, exc)
            continue
        found.append({"folder": str(path.parent.relative_to(models_dir)), "kind": m.get("kind", ""),
                      "created_at": m.get("created_at", ""), "fingerprint": fingerprint_text(m.get("fingerprint", "")),
                      "voc_version": m.get("voc_version", ""), "libraries": m.get("libraries", {})})
    return found


def fingerprint_text(fp: Any) -> str:
    """Manifests store a fingerprint as a hash string or as a dict of identity fields: show 16 hex chars."""
    return artifacts.fingerprint_text(fp)[:16]


def _notes(ws: Workspace, store: Store, month: str, months: list[str]) -> dict[str, Any]:
    s = ws.settings
    run = next((r for r in store.themes.theme_runs() if r["month"] == month), None)
    return {
        "months": months,
        "sources": store.stats.source_counts(month),
        "all_records": sum(r["n"] for r in store.stats.source_counts()),
        "quarantined": store.runs.quarantine_count(),
        "quarantine_by_source": store.runs.quarantine_by_source(),
        "theme_run": {k: run[k] for k in ("complaints", "assigned", "new_themes", "stability", "model_fingerprint")}
        if run else None,
        "models": _models(ws.models_dir, month),
        "settings": {
            "embedding.model": s.embedding.model if s.embedding.model not in ("", "corpus")
            else "（工作区自训练向量模型）",
            "embedding.dim": s.embedding.dim,
            "sentiment.negative_threshold": s.sentiment.negative_threshold,
            "sentiment.positive_threshold": s.sentiment.positive_threshold,
            "themes.outlier_quantile": s.themes.outlier_quantile,
            "themes.min_theme_size": s.themes.min_theme_size,
            "themes.random_state": s.themes.random_state,
        },
        "rules": dataclasses.asdict(rules_from_settings(s)),
    }


def assemble(ws: Workspace, store: Store, month: str) -> ReportData:
    """Read one month's report from the store (flags computed first if the month has none)."""
    months = store.records.months()
    if month not in months:
        raise VocError(f"no data for {month}: months with data are {', '.join(months) or 'none (ingest first)'}")
    tax = Taxonomy.load()
    ov = month_overview(store, month)
    window = [s["month"] for s in ov["series"]]
    flags = load_flags(ws, store, month)
    series = _series_by_theme(store, window) if flags else {}
    ranked = _themes(store, flags, series, tax)
    top = max(rules_from_settings(ws.settings).max_report_flags, 0)
    themes, others = ranked[:top], ranked[top:]
    flagged_calls: dict[str, int] = defaultdict(int)
    for r in store.stats.breakdown(month, "agent_id", [t["theme_id"] for t in themes]) if themes else []:
        flagged_calls[r["value"]] += r["n"]
    flag_ids = [f["theme_id"] for f in flags]
    labels = {f["theme_id"]: f["label"] for f in flags}
    records = [{**r, "label": labels[r["theme_id"]]} for r in store.themes.theme_record_rows(month, flag_ids)]
    return ReportData(
        month=month,
        previous_month=ov["previous_month"],
        window=window,
        kpis=_kpis(ov),
        channels=_channels(ov),
        themes=themes,
        steps=rank_steps(themes, tax.name),
        resolved=_resolved(flags, series, tax),
        breakdowns=_breakdowns(store, month, themes),
        agents=agent_review(store.stats.agent_rates(month), dict(flagged_calls)),
        notes=_notes(ws, store, month, months),
        records=records,
        other_themes=others,
        fixes=_fixes(store, month, tax),
    )
