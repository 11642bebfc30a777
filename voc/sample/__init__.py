"""Deterministic 12-month bank voice-of-customer sample with a known ground truth.

The sample exercises every stage of voc (three channels and their file quirks, PII, traditional
characters, sentiment, themes) and, above all, the monthly flags: MANIFEST.json records how each injected
theme evolves, and ``truth.csv`` says which record belongs to which theme, so flag and theme tests can
check voc against the truth instead of against itself.
"""

from __future__ import annotations

import json
import logging
import random
from collections import Counter
from pathlib import Path
from typing import Any

from voc.sample import writers
from voc.sample.people import HOT_AGENT, People
from voc.sample.plan import Event, plan_events
from voc.sample.render import Renderer
from voc.sample.themes import MONTHS, SOURCE_CHANNEL, SOURCES, THEMES

__all__ = ["DEFAULT_SEED", "generate"]

log = logging.getLogger(__name__)

DEFAULT_SEED = 20261123
GENERATOR_VERSION = 1
_EXPECTED_FLAGS = {
    "recurring": {"must_flag": {"recurring": MONTHS[3:]}},
    "resolved": {"must_flag": {"resolved": ["2026-05", "2026-06"]}, "must_not_flag": ["rising", "emerging"]},
    "emerging": {"must_flag": {"emerging": ["2026-09"], "rising": ["2026-09", "2026-10"]},
                 "must_not_flag": ["resolved"]},
    "stable": {"must_not_flag": ["rising", "emerging", "resolved"]},
}


def generate(out_dir: Path, seed: int = DEFAULT_SEED, scale: float = 1.0) -> dict[str, Any]:
    """Write the sample into ``out_dir`` and return its manifest (also written as MANIFEST.json).

    The same seed and scale always give byte-identical files; ``scale`` multiplies record counts.
    """
    out_dir = Path(out_dir)
    people = People(random.Random(f"{seed}:people"))
    events, schedule = plan_events(seed, scale, people)
    renderer = Renderer(seed, people)
    by_source: dict[str, list[Event]] = {s: [] for s in SOURCES}
    for e in events:
        by_source[e.source].append(e)
    _clear_calls(out_dir / "calls")
    files = {
        "ratings/app_store.csv": writers.write_app_store(
            out_dir / "ratings" / "app_store.csv", [renderer.app_store(e) for e in by_source["app_store"]]),
        "ratings/nps_survey.csv": writers.write_nps(
            out_dir / "ratings" / "nps_survey.csv", [renderer.nps(e) for e in by_source["nps_survey"]]),
        "ratings/branch_csat.jsonl": writers.write_jsonl(
            out_dir / "ratings" / "branch_csat.jsonl", [renderer.csat(e) for e in by_source["branch_csat"]]),
        "calls/": writers.write_calls(out_dir / "calls", [renderer.call(e) for e in by_source["calls"]]),
        "social/posts.jsonl": writers.write_jsonl(
            out_dir / "social" / "posts.jsonl", [renderer.social(e) for e in by_source["social"]]),
    }
    injected = renderer.injected
    files["pii_strings.txt"] = writers.write_lines(out_dir / "pii_strings.txt", injected.pii)
    files["not_pii_strings.txt"] = writers.write_lines(out_dir / "not_pii_strings.txt", injected.not_pii)
    files["truth.csv"] = writers.write_truth(out_dir / "truth.csv", [
        [e.source, e.id, e.month, e.category, e.theme or "", e.repeat_of or "", "1" if e.escalated else ""]
        for e in events])
    manifest = _manifest(seed, scale, events, schedule, files, injected)
    (out_dir / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
    log.info("wrote %d records to %s", len(events), out_dir)
    return manifest


def _clear_calls(root: Path) -> None:
    """Remove call files of an earlier run so a smaller regeneration leaves no strays behind."""
    if not root.is_dir():
        return
    for path in sorted(root.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]/C*.json")):
        path.unlink()


def _manifest(seed: int, scale: float, events: list[Event], schedule: dict[str, list[list[int]]],
              files: dict[str, Any], injected: Any) -> dict[str, Any]:
    themes = []
    for theme in THEMES:
        counts: dict[str, dict[str, int]] = {}
        for month, per_source in zip(MONTHS, schedule[theme.id], strict=True):
            row = dict.fromkeys(("rating", "call", "social"), 0)
            for source, n in zip(SOURCES, per_source, strict=True):
                row[SOURCE_CHANNEL[source]] += n
            counts[month] = {**row, "total": sum(per_source)}
        themes.append({
            "id": theme.id, "label": theme.label, "process_step": theme.process_step, "course": theme.course,
            "keywords": list(theme.keywords), "expected": _EXPECTED_FLAGS[theme.course], "counts": counts,
            "counts_by_source": {m: dict(zip(SOURCES, c, strict=True))
                                 for m, c in zip(MONTHS, schedule[theme.id], strict=True)},
        })
    themed = [e for e in events if e.theme and e.source != "social"]
    repeats = sum(1 for e in events if e.repeat_of)
    calls = [e for e in events if e.source == "calls"]
    hot = [e for e in calls if e.agent == HOT_AGENT]
    rest = [e for e in calls if e.agent != HOT_AGENT]
    pii_kinds = Counter(injected.pii.values())
    return {
        "generator": "voc.sample", "generator_version": GENERATOR_VERSION, "seed": seed, "scale": scale,
        "timezone": "Asia/Shanghai", "months": list(MONTHS),
        "notes": "pension_account is mapped to process step account_opening (accounts opened without consent).",
        "files": files,
        "truth_file": "truth.csv",
        "records": {
            "total": len(events),
            "by_source": dict(Counter(e.source for e in events)),
            "by_month": {m: sum(1 for e in events if e.month == m) for m in MONTHS},
            "by_category": dict(sorted(Counter(e.category for e in events).items())),
        },
        "themes": themes,
        "repeat_contacts": {
            "window_days": 30, "followups": repeats, "themed_complaints_with_customer_id": len(themed),
            "share": round(repeats / len(themed), 4) if themed else 0.0,
        },
        "escalation": {
            "calls": len(calls), "escalated": sum(e.escalated for e in calls),
            "rate": _rate(calls), "hot_agent": HOT_AGENT, "hot_agent_calls": len(hot),
            "hot_agent_rate": _rate(hot), "other_agents_rate": _rate(rest),
        },
        "pii": {"file": "pii_strings.txt", "distinct_strings": len(injected.pii),
                "records_with_pii": injected.records_with_pii, "by_kind": dict(sorted(pii_kinds.items()))},
        "not_pii": {"file": "not_pii_strings.txt", "distinct_strings": len(injected.not_pii)},
    }


def _rate(calls: list[Event]) -> float:
    return round(sum(e.escalated for e in calls) / len(calls), 4) if calls else 0.0
