"""Ingestors from the ``[[sources]]`` declared in voc.toml, and ``pull``: run them all incrementally."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ingest.base import Ingestor
from ingest.calls import CallsIngestor
from ingest.http import HttpIngestor
from ingest.ratings import MAP_FIELDS, RatingsIngestor
from ingest.runner import RunResult, run_ingestor
from ingest.social import SocialIngestor
from voc.config import Settings, SourceSettings
from voc.errors import ConfigError, VocError
from voc.schema import RatingScale
from voc.store import Store

log = logging.getLogger(__name__)

KINDS = ("ratings", "calls", "social")
HTTP_OPTIONS = {
    "items_path", "id_field", "time_field", "text_field", "author_field", "platform_field", "cursor_path",
    "cursor_param", "page_param", "page_start", "since_param", "since_format", "params", "headers", "platform",
    "timeout", "max_retries", "backoff", "max_wait", "max_pages",
}
_FILE_OPTIONS = {"ratings": {"map", "scale", "subtype"}, "calls": set(), "social": {"map", "platform"}}


def parse_map(value: Any, where: str = "--map") -> dict[str, str]:
    """``["text=评价内容", ...]`` (CLI) or ``{text = "评价内容"}`` (voc.toml) as {field: column}."""
    if not value:
        return {}
    pairs: list[tuple[str, str]] = []
    if isinstance(value, Mapping):
        pairs = [(str(k), str(v)) for k, v in value.items()]
    else:
        for item in [value] if isinstance(value, str) else value:
            field, sep, column = str(item).partition("=")
            if not sep or not field.strip() or not column.strip():
                raise ConfigError(f"{where}: '{item}' should look like FIELD=COLUMN, e.g. text=评价内容")
            pairs.append((field.strip(), column.strip()))
    return dict(pairs)


def check_map(mapping: Mapping[str, str], fields: Sequence[str], where: str = "--map") -> None:
    for field in mapping:
        if field not in fields:
            raise ConfigError(f"{where}: unknown field '{field}' (known: {', '.join(fields)})")


def check_scale(scale: str | None, where: str = "--scale") -> str | None:
    if scale and scale not in set(RatingScale):
        raise ConfigError(f"{where}: unknown scale '{scale}' (use {', '.join(RatingScale)})")
    return scale or None


def ingest_options(settings: Settings, follow_symlinks: bool | None = None) -> dict[str, Any]:
    """What every ingestor takes from voc.toml: salt, length limit and the identifier policies."""
    follow = settings.ingest.follow_symlinks if follow_symlinks is None else follow_symlinks
    return {"salt": settings.privacy.salt, "max_text_chars": settings.ingest.max_text_chars,
            "ids": settings.privacy.ids, "mentions": settings.privacy.mentions, "follow_symlinks": follow}


def build_ingestor(src: SourceSettings, settings: Settings, base: Path) -> Ingestor:
    """The ingestor a declared source describes; relative paths are relative to the workspace folder."""
    where = f"voc.toml source '{src.name}'"
    if src.kind not in KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, not '{src.kind}'")
    if bool(src.path) == bool(src.url):
        raise ConfigError(f"{where}: give exactly one of path or url")
    opts = dict(src.options)
    follow = opts.pop("follow_symlinks", None)
    if follow is not None and not isinstance(follow, bool):
        raise ConfigError(f"{where}: follow_symlinks must be true or false")
    common = {"source": src.name, **ingest_options(settings, follow)}
    if src.url:
        if src.kind != "social":
            raise ConfigError(f"{where}: url sources are social feeds; use kind = \"social\"")
        unknown = set(opts) - HTTP_OPTIONS
        if unknown:
            raise ConfigError(f"{where}: unknown option(s) {', '.join(sorted(unknown))}")
        common.pop("follow_symlinks")
        return HttpIngestor(src.url, **common, **opts)
    unknown = set(opts) - _FILE_OPTIONS[src.kind]
    if unknown:
        raise ConfigError(f"{where}: unknown option(s) {', '.join(sorted(unknown))}")
    path = Path(src.path).expanduser()
    path = path if path.is_absolute() else base / path
    if src.kind == "ratings":
        mapping = parse_map(opts.get("map"), f"{where} map")
        check_map(mapping, MAP_FIELDS, f"{where} map")
        scale = check_scale(opts.get("scale"), f"{where} scale")
        return RatingsIngestor(path, **common, mapping=mapping, scale=scale, subtype=opts.get("subtype"))
    if src.kind == "calls":
        return CallsIngestor(path, **common)
    return SocialIngestor(path, **common, mapping=parse_map(opts.get("map"), f"{where} map"),
                          platform=opts.get("platform"))


def pull(
    store: Store,
    settings: Settings,
    base: Path,
    names: Sequence[str] | None = None,
    progress: bool | None = None,
) -> list[RunResult]:
    """Run every declared source (or the named ones) from its cursors; a failing source does not stop the others."""
    sources = list(settings.sources)
    if names:
        missing = set(names) - {s.name for s in sources}
        if missing:
            raise ConfigError(f"no declared source named {', '.join(sorted(missing))} in voc.toml")
        sources = [s for s in sources if s.name in names]
    ingestors = [build_ingestor(s, settings, base) for s in sources]
    results = []
    for ing in ingestors:
        try:
            results.append(run_ingestor(store, ing, settings.ingest.batch_size, settings.ingest.workers, True,
                                        progress, settings.ingest.on_changed))
        except VocError as exc:
            log.warning("source %s failed: %s", ing.source, exc)
            run = store.runs.last_run_per_source()
            failed = next((r for r in run if r["source"] == ing.source), {})
            results.append(RunResult(
                failed.get("run_id", 0), ing.source, ing.kind, ing.location, "failed",
                failed.get("read", 0), failed.get("new", 0), failed.get("updated", 0), failed.get("duplicates", 0),
                failed.get("quarantined", 0), str(exc),
            ))
    return results
