"""Ingest commands: `voc ingest ratings|calls|social` for one file, folder or URL, and `voc pull` for voc.toml.

The ingest package is imported inside the commands: it loads jieba and OpenCC, which other commands
(and `voc --help`) should not pay for.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from voc.cli.common import HomeOpt, JsonOpt, console, emit, err_console, open_store, open_workspace
from voc.errors import ConfigError

ingest_app = typer.Typer(help="Load ratings, call transcripts or social posts into the workspace.")

SourceOpt = Annotated[str | None, typer.Option("--source", help="Source name (default: the file or folder name).")]
WorkersOpt = Annotated[
    int | None,
    typer.Option("--workers", min=1, max=64, help="Processes for cleaning texts (default: ingest.workers)."),
]
FollowOpt = Annotated[
    bool | None,
    typer.Option("--follow-symlinks/--no-follow-symlinks",
                 help="Read files behind symbolic links (default: ingest.follow_symlinks, off).", show_default=False),
]
IncrementalOpt = Annotated[
    bool,
    typer.Option(
        "--incremental", help="Only read what is new since this source's cursors (unchanged files are skipped)."
    ),
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", help="FIELD=COLUMN, repeatable, e.g. --map text=评价内容 --map rating=评分."),
]


def _run(home: Path | None, ingestor: Any, workers: int | None, incremental: bool, as_json: bool) -> None:
    from ingest.runner import run_ingestor

    ws = open_workspace(home)
    s = ws.settings.ingest
    with open_store(ws) as store:
        result = run_ingestor(store, ingestor, s.batch_size, workers or s.workers, incremental, None, s.on_changed)
    _report([result.to_dict()], as_json, single=True)


def _common(ws: Any, follow: bool | None) -> dict[str, Any]:
    from ingest.sources import ingest_options

    return ingest_options(ws.settings, follow)


def _report(results: list[dict[str, Any]], as_json: bool, single: bool = False) -> None:
    keys = ("run_id", "source", "kind", "status", "read", "new", "updated", "duplicates", "quarantined", "message",
            "skipped")
    data = [{k: r[k] for k in keys} for r in results]

    def render(rows: list[dict[str, Any]]) -> None:
        for r, full in zip(rows, results, strict=True):
            console.print(
                f"{r['source']}: read {r['read']}, new {r['new']}, updated {r['updated']}, "
                f"duplicates {r['duplicates']}, quarantined {r['quarantined']} (run {r['run_id']}, {r['status']})"
                + (f": {r['message']}" if r["message"] else "")
            )
            for line in full["problems"][:5]:
                err_console.print(f"  quarantined: {line}")
            if r["quarantined"] > 5:
                err_console.print(f"  ... see `voc quarantine list --source {r['source']}`")
            for line in full["skipped"]:
                err_console.print(f"  skipped: {line}")

    if single:
        emit(data[0], as_json, lambda d: render([d]))
    else:
        emit(data, as_json, render)


@ingest_app.command("ratings")
def ingest_ratings(
    path: Annotated[Path, typer.Argument(help="A CSV/XLSX/JSONL file or a folder of them.")],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
    source: SourceOpt = None,
    mapping: MapOpt = None,
    scale: Annotated[str | None, typer.Option(help="star5, nps10 or csat5 (default: detected).")] = None,
    subtype: Annotated[str | None, typer.Option(help="Subtype for every record (default: column or source).")] = None,
    workers: WorkersOpt = None,
    incremental: IncrementalOpt = False,
    follow: FollowOpt = None,
) -> None:
    """Ratings with text: app-store reviews, NPS surveys, CSAT; encodings and headers detected."""
    from ingest.ratings import MAP_FIELDS, RatingsIngestor
    from ingest.sources import check_map, check_scale, parse_map

    ws = open_workspace(home)
    cols = parse_map(mapping)
    check_map(cols, MAP_FIELDS)
    ing = RatingsIngestor(
        path, source, mapping=cols, scale=check_scale(scale), subtype=subtype, **_common(ws, follow)
    )
    _run(home, ing, workers, incremental, as_json)


@ingest_app.command("calls")
def ingest_calls(
    path: Annotated[Path, typer.Argument(help="A transcript file (JSON, JSONL, TXT) or a folder (recursive).")],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
    source: SourceOpt = None,
    workers: WorkersOpt = None,
    incremental: IncrementalOpt = False,
    follow: FollowOpt = None,
) -> None:
    """Call transcripts: one record per call (customer side as text), every turn kept."""
    from ingest.calls import CallsIngestor

    ws = open_workspace(home)
    ing = CallsIngestor(path, source, **_common(ws, follow))
    _run(home, ing, workers, incremental, as_json)


def _options(values: list[str] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in values or []:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ConfigError(f"--opt: '{item}' should look like KEY=VALUE, e.g. items_path=data.items")
        try:
            out[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            out[key.strip()] = raw
    return out


@ingest_app.command("social")
def ingest_social(
    target: Annotated[str, typer.Argument(help="A JSONL/CSV export (file or folder) or an http(s) API URL.")],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
    source: SourceOpt = None,
    mapping: MapOpt = None,
    platform: Annotated[str | None, typer.Option(help="Platform when the data has none.")] = None,
    opt: Annotated[
        list[str] | None,
        typer.Option("--opt", help="API option KEY=VALUE, repeatable: items_path, id_field, time_field, "
                     "text_field, cursor_path, page_param, since_param (see docs/formats.md)."),
    ] = None,
    workers: WorkersOpt = None,
    incremental: IncrementalOpt = False,
    follow: FollowOpt = None,
) -> None:
    """Social posts: links, @mentions and #话题# go to extra, authors become salted keys."""
    from ingest.http import HttpIngestor
    from ingest.social import ALIASES, SocialIngestor
    from ingest.sources import HTTP_OPTIONS, check_map, parse_map

    ws = open_workspace(home)
    common = _common(ws, follow)
    if target.startswith(("http://", "https://")):
        common.pop("follow_symlinks")
        options = _options(opt)
        unknown = set(options) - HTTP_OPTIONS
        if unknown:
            raise ConfigError(f"--opt: unknown option(s) {', '.join(sorted(unknown))}")
        ing: Any = HttpIngestor(target, source, platform=platform, **common, **options)
    else:
        cols = parse_map(mapping)
        check_map(cols, tuple(ALIASES))
        ing = SocialIngestor(Path(target), source, mapping=cols, platform=platform, **common)
    _run(home, ing, workers, incremental, as_json)


def pull(
    names: Annotated[list[str] | None, typer.Argument(help="Only these declared sources.")] = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
    no_alerts: Annotated[bool, typer.Option("--no-alerts", help="Do not update flags or send [alerts].")] = False,
) -> None:
    """Pull every source declared in voc.toml, taking only what is new since its cursor.

    With [alerts] configured and something new, themes and the latest month's flags are brought up to date
    and new emerging / rising flags are sent (each once), as `voc flags` does.
    """
    from ingest.sources import pull as pull_sources
    from voc import pipeline
    from voc.cli.analysis_cmds import alert_summary

    ws = open_workspace(home)
    if not ws.settings.sources:
        raise ConfigError(f"no [[sources]] declared in {ws.config_path}; see docs/formats.md")
    with open_store(ws) as store:
        results = pull_sources(store, ws.settings, ws.home, names or None)
        changed = sum(r.new + r.updated for r in results)
        sent = None if no_alerts else pipeline.alerts_after_pull(ws, store, changed)
    if sent is not None:
        err_console.print(alert_summary(sent), soft_wrap=True)
    _report([r.to_dict() for r in results], as_json)
    if any(r.status != "ok" for r in results):
        raise typer.Exit(1)

