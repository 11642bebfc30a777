"""The demo as one call: the built-in sample through every step (ingest, train, enrich, themes, flags, report).

`voc demo` only prints what this returns; a test or a notebook calls :func:`run_demo` the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from voc.store import Store
from voc.workspace import Workspace

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


def sample_dir(ws: Workspace) -> Path:
    """The committed sample, or a freshly generated one when voc is installed without the repository."""
    if (SAMPLE / "MANIFEST.json").exists():
        return SAMPLE
    from voc.sample import generate

    target = ws.home / "sample"
    if not (target / "MANIFEST.json").exists():
        generate(target)
    return target


def run_demo(ws: Workspace, store: Store, workers: int = 2, say: Callable[[str], None] = lambda _: None
             ) -> dict[str, Any]:
    """Ingest the sample's five sources, train sentiment, enrich, track themes, flag the last month, report."""
    from ingest.calls import CallsIngestor
    from ingest.ratings import RatingsIngestor
    from ingest.runner import run_ingestor
    from ingest.social import SocialIngestor
    from ingest.sources import ingest_options
    from voc import pipeline
    from voc.enrich import train_sentiment
    from voc.report import build_report, register_reports

    started = time.perf_counter()
    src = sample_dir(ws)
    common = ingest_options(ws.settings)
    ingestors = [
        RatingsIngestor(src / "ratings" / "app_store.csv", "app_store", subtype="app_store", **common),
        RatingsIngestor(src / "ratings" / "nps_survey.csv", "nps_survey", subtype="nps_survey", **common),
        RatingsIngestor(src / "ratings" / "branch_csat.jsonl", "branch_csat", **common),
        CallsIngestor(src / "calls", "hotline_calls", **common),
        SocialIngestor(src / "social" / "posts.jsonl", "social_listening", **common),
    ]
    out: dict[str, Any] = {"home": str(ws.home), "sample": str(src), "ingest": []}
    for ing in ingestors:
        res = run_ingestor(store, ing, ws.settings.ingest.batch_size, workers, incremental=True,
                           on_changed=ws.settings.ingest.on_changed)
        out["ingest"].append({k: getattr(res, k) for k in ("source", "read", "new", "duplicates", "quarantined")})
        say(f"ingested {res.source}: read {res.read}, new {res.new}, duplicates {res.duplicates}, "
            f"quarantined {res.quarantined}")
    out["sentiment"] = train_sentiment(store, ws.models_dir, ws.settings)
    say(f"sentiment model trained on {out['sentiment']['labelled']} rated records")
    out["enrich"] = pipeline.enrich_workspace(ws, store)
    say(f"enriched {out['enrich']['records']} records, indexed {out['enrich']['indexed']}")
    themes = pipeline.update_themes(ws, store)
    out["themes"] = len(themes["themes"])
    month = themes["month"]
    flags = pipeline.month_flags(ws, store, month)
    out["month"] = month
    out["flags"] = [{k: f[k] for k in ("theme_id", "label", "status", "severity")} for f in flags]
    say(f"{out['themes']} themes; {len(flags)} flagged in {month}:")
    for f in flags[:8]:
        say(f"  [{f['status']}] {f['label']} (severity {f['severity']}, volume {f['volume']})")
    paths = build_report(ws, store, month)
    register_reports(store, paths)
    out["report"] = {k: str(v) for k, v in paths.items()}
    say(f"report: {out['report']['html']}")
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out
