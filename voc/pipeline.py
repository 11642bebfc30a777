"""The named steps after ingest: enrich -> vectors -> themes -> flags, each callable on its own.

This module owns orchestration: :func:`ensure` runs whatever upstream step is missing, in order, for commands
that need a later step's output (`voc flags`, `voc report`, `voc pull` with alerts). Read paths (the report's
assembly, the dashboard, search, the API) never run or save a step.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from voc import enrich as enrichment
from voc import step_fallback, vectors, views
from voc.embed import E5_NAMES
from voc.engine import Engine
from voc.errors import VocError
from voc.monthly import compute_flags, rules_from_settings
from voc.sentiment import pretrained
from voc.store import Store
from voc.taxonomy import Taxonomy
from voc.tracking import months_to_run, track_themes
from voc.workspace import Workspace

log = logging.getLogger(__name__)


def enrich_workspace(ws: Workspace, store: Store, only_new: bool = True, engine: Engine | None = None
                     ) -> dict[str, Any]:
    """Sentiment, escalation, complaint flag and process step, then embed and index what is new.

    Records stored before keyword search had character bigrams get them first (once: later records get
    theirs when they are stored). The ``engine`` runs scoring and embedding (this process by default).
    """
    store.records.backfill_grams()
    taxonomy = Taxonomy.load()
    embedder = vectors.workspace_embedder(ws, store)
    fitted: list[step_fallback.StepFallback] = []

    def calibrated() -> step_fallback.StepFallback:
        """The embedding fallback for process steps, calibrated on the rule-matched records on first need."""
        if not fitted:
            every = store.enrichment.iter_for_enrichment(only_new=False)
            fitted.append(step_fallback.calibrate(every, taxonomy, embedder.encode))
        return fitted[0]

    def step_of(unmatched: list[dict[str, Any]]) -> list[str | None]:
        """Steps of the records no keyword rule matched, from their vectors."""
        fallback = calibrated()
        if fallback.centroids is None:
            return [None] * len(unmatched)
        return step_fallback.FallbackSteps(fallback, embedder)(unmatched)

    steps: enrichment.StepOf | None = step_of
    if engine is not None and engine.remote:  # workers cannot read the store: ship a fitted fallback
        fallback = calibrated()
        portable = vectors.portable(embedder)
        steps = None if fallback.centroids is None else step_fallback.FallbackSteps(fallback, portable)
    scorer = enrichment.load_scorer(ws.models_dir, ws.settings)
    with shared_e5(ws, store, embedder):
        result = enrichment.enrich(store, scorer, taxonomy, only_new=only_new, step_of=steps, engine=engine).to_dict()
    result["step_fallback"] = fitted[0].report if fitted else {"abstains": "every record matched a rule"}
    result["indexed"] = vectors.update_index(ws, store, embedder, engine=engine)
    result["engine"] = engine.name if engine is not None else "local"
    return result


def shared_e5(ws: Workspace, store: Store, embedder: Any = None) -> AbstractContextManager[None]:
    """Sentiment's e5 vectors from the workspace's cached e5 embedder when both use e5, else its own."""
    s = ws.settings
    if s.sentiment.pretrained != pretrained.E5_TEXTS or s.embedding.model.strip() not in E5_NAMES:
        return nullcontext()
    return pretrained.shared_encoder((embedder or vectors.workspace_embedder(ws, store)).encode)


def train_and_rescore(
    ws: Workspace, store: Store, extra: tuple[list[str], list[int]] | None = None, engine: Engine | None = None
) -> dict[str, Any]:
    """Learn sentiment from the rated records (and ``extra`` labelled texts) and re-score every record with it."""
    with shared_e5(ws, store):
        info = enrichment.train_sentiment(store, ws.models_dir, ws.settings, extra=extra)
    info["rescored"] = enrich_workspace(ws, store, only_new=False, engine=engine)["records"]
    return info


def latest_month(store: Store) -> str:
    months = store.records.months()
    if not months:
        raise VocError("the workspace has no records yet: ingest some first (see `voc ingest --help`)")
    return months[-1]


def update_themes(ws: Workspace, store: Store, until: str | None = None, rebuild: bool = False) -> dict[str, Any]:
    """Bring themes up to date and list them with the month's volumes."""
    if store.enrichment.count_unenriched():
        enrich_workspace(ws, store)
    embedder = vectors.workspace_embedder(ws, store)
    runs = track_themes(store, embedder.encode, ws.models_dir, ws.settings.themes, Taxonomy.load(), until=until,
                        rebuild=rebuild)
    month = until or latest_month(store)
    volumes: dict[int, int] = {}
    for r in store.themes.theme_stats(month=month):
        volumes[r["theme_id"]] = volumes.get(r["theme_id"], 0) + r["volume"]
    themes = [{**t, "volume": volumes.get(t["theme_id"], 0)} for t in store.themes.list_themes()]
    themes.sort(key=lambda t: (-t["volume"], t["theme_id"]))
    return {"month": month, "runs": [r.to_dict() for r in runs], "themes": themes,
            "lineage": store.themes.lineage(month)}


def split_theme(ws: Workspace, store: Store, theme_id: int, actor: str) -> dict[str, Any]:
    """An analyst's split: recorded as a curation, then the latest month is tracked again with it applied.

    The split is a step of the tracker, not a patch on its output, so later months and `--rebuild` replay it.
    """
    from voc import curation

    cid = curation.curate(store, theme_id, "split", None, actor)
    month = next(c["value"] for c in store.curations.curations() if c["curation_id"] == cid)
    store.themes.forget_theme_months(month)
    update_themes(ws, store)
    lineage = store.themes.lineage(month)
    children = [e["theme_id"] for e in lineage if e["event"] == "split" and e["related"] == theme_id]
    labels = {t["theme_id"]: t["label"] for t in store.themes.list_themes()}
    return {"theme_id": theme_id, "month": month, "label": labels.get(theme_id),
            "children": [{"theme_id": c, "label": labels.get(c)} for c in children]}


def month_view(ws: Workspace, store: Store, view: str, month: str | None = None) -> dict[str, Any]:
    """Praise or questions of a month, grouped (read only: nothing is fitted to disk or stored)."""
    if view not in views.VIEWS:
        raise VocError(f"unknown view {view!r}: choose one of {', '.join(views.VIEWS)}")
    month = month or latest_month(store)
    embedder = vectors.load_embedder(ws)
    if embedder is None:
        raise VocError("no embedder in this workspace yet: run `voc enrich` first")
    rows = views.view_rows(store, month, view)
    return {"month": month, "view": view, "name": views.VIEWS[view], "records": len(rows),
            "groups": views.group_view(rows, embedder.encode)}


def send_alerts(ws: Workspace, store: Store, month: str, flags: list[dict[str, Any]], dry_run: bool = False
                ) -> dict[str, Any] | None:
    """Send the latest month's new emerging / rising flags and come-back fixes to [alerts]; None if not sent."""
    from voc import alerts, fixes

    settings = ws.settings.alerts
    if not alerts.channels(settings) or month != latest_month(store):  # alerts are news: the latest month only
        return None
    items = alerts.alerts_for(month, flags, fixes.verify(store, month))
    return alerts.dispatch(store, settings, month, items, dry_run=dry_run)


def alerts_after_pull(ws: Workspace, store: Store, changed: int) -> dict[str, Any] | None:
    """After `voc pull` brought new or changed records: themes and the latest month's flags, then the alerts.

    Nothing runs when no alert channel is configured or nothing changed (a scheduled pull stays cheap).
    """
    from voc import alerts

    if not changed or not alerts.channels(ws.settings.alerts):
        return None
    update_themes(ws, store)  # enriches the new records first
    month = latest_month(store)
    flags = [f.to_dict() for f in compute_flags(store, month, rules_from_settings(ws.settings))]
    return send_alerts(ws, store, month, flags)


STEPS = ("enrich", "themes", "flags")


def ensure(ws: Workspace, store: Store, through: str = "flags", month: str | None = None) -> list[str]:
    """Bring every step up to `through` up to date and return the steps that had to run.

    enrich: records not yet scored; themes: months not tracked, or whose complaints changed since; flags:
    the month's flags computed and saved (`month`, default the latest).
    """
    if through not in STEPS:
        raise VocError(f"unknown step {through!r}: one of {', '.join(STEPS)}")
    ran = []
    if store.enrichment.count_unenriched():
        enrich_workspace(ws, store)
        ran.append("enrich")
    if through in ("themes", "flags") and months_to_run(store)[0]:
        update_themes(ws, store)
        ran.append("themes")
    if through == "flags":
        compute_flags(store, month or latest_month(store), rules_from_settings(ws.settings))
        ran.append("flags")
    return ran


def month_flags(ws: Workspace, store: Store, month: str | None = None) -> list[dict[str, Any]]:
    """Flags of a month (every upstream step brought up to date first), most severe first."""
    month = month or latest_month(store)
    ensure(ws, store, through="themes")
    return [f.to_dict() for f in compute_flags(store, month, rules_from_settings(ws.settings))]
