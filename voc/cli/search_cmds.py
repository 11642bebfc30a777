"""Search commands: `voc search`, `voc index verify`, `voc forget`, `voc serve`."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from voc.cli.common import (
    MAX_ID,
    HomeOpt,
    JsonOpt,
    PortOpt,
    console,
    emit,
    open_store,
    open_workspace,
    print_json,
    table,
)
from voc.errors import VocError
from voc.schema import Channel

SENTIMENTS = ("负面", "中性", "正面")

index_app = typer.Typer(help="The vector index of a workspace.")


def _plain(snippet: str) -> str:
    import html

    return html.unescape(re.sub(r"</?mark>", "", snippet.replace("<mark>", "【").replace("</mark>", "】")))


def search(
    query: Annotated[str | None, typer.Argument(help="A question or keywords, e.g. 客户为什么抱怨转账额度.")] = None,
    home: HomeOpt = None,
    k: Annotated[int, typer.Option("--k", min=1, max=1000, help="How many results.")] = 20,
    mode: Annotated[str, typer.Option(help="hybrid, semantic or keyword.")] = "hybrid",
    channel: Annotated[Channel | None, typer.Option(help="rating, call or social.")] = None,
    since: Annotated[str | None, typer.Option(help="From this date, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Up to and including this date, YYYY-MM-DD.")] = None,
    sentiment: Annotated[str | None, typer.Option(help="负面, 中性 or 正面.")] = None,
    theme: Annotated[int | None, typer.Option(min=0, max=MAX_ID, help="Theme id.")] = None,
    step: Annotated[str | None, typer.Option("--process-step", help="Process step id, e.g. transfer_limits.")] = None,
    branch: Annotated[str | None, typer.Option(help="Branch name.")] = None,
    product: Annotated[str | None, typer.Option(help="Product name.")] = None,
    agent: Annotated[str | None, typer.Option(help="Agent id.")] = None,
    queries: Annotated[Path | None, typer.Option("--queries", exists=True, dir_okay=False, readable=True,
                                                 help="File with one query a line (batch).")] = None,
    similar: Annotated[str | None, typer.Option("--similar", help="More like this record id.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Hybrid semantic + keyword search over every channel, with filters."""
    from voc import search as search_mod
    from voc import vectors
    from voc.store import Filters

    for name, value in (("--since", since), ("--until", until)):
        if value:
            try:
                date.fromisoformat(value)
            except ValueError as exc:
                raise VocError(f"{name} {value!r} is not a date like 2026-09-01") from exc
    if mode not in ("hybrid", "semantic", "keyword"):
        raise VocError(f"--mode {mode!r}: choose hybrid, semantic or keyword")
    if sentiment and sentiment not in SENTIMENTS:
        raise VocError(f"--sentiment {sentiment!r}: choose {', '.join(SENTIMENTS)}")
    filters = Filters(channel=channel.value if channel else None, since=since, until=until,
                            sentiment=sentiment, theme_id=theme,
                            process_step=step, branch=branch, product=product, agent_id=agent)
    ws = open_workspace(home)
    with open_store(ws, readonly=True) as store:
        index = vectors.load_index(ws)
        embedder = vectors.load_embedder(ws) if mode != "keyword" else None
        if similar:
            if index is None:
                raise VocError("no vector index yet: run `voc enrich` first")
            hits = search_mod.more_like_this(store, index, similar, k=k, filters=filters)
            return emit([h.to_dict() for h in hits], as_json, lambda d: _render(f"similar to {similar}", d))
        if queries:
            try:
                lines = [q.strip() for q in queries.read_text(encoding="utf-8").splitlines() if q.strip()]
            except UnicodeDecodeError as exc:
                raise VocError(f"--queries {queries}: not UTF-8 text (byte {exc.start})") from None
            out = [{"query": q, "results": [h.to_dict() for h in
                                            search_mod.search(store, index, embedder, q, k, mode, filters)]}
                   for q in lines]
            if as_json:
                return print_json(out)
            for item in out:
                _render(item["query"], item["results"])
            return None
        if not query:
            raise VocError("give a QUERY, or --queries FILE, or --similar RECORD_ID")
        hits = search_mod.search(store, index, embedder, query, k, mode, filters)
    emit([h.to_dict() for h in hits], as_json, lambda d: _render(query, d))
    return None


def _render(title: str, hits: list[dict[str, Any]]) -> None:
    if not hits:
        console.print(f"{title}: 没有找到匹配的记录 (no results) — try fewer filters or other words")
        return
    rows = [[i + 1, h["created_at"][:10], h["channel"], h["rating"], h["sentiment_label"], h["theme_label"] or "",
             _plain(h["snippet"]), h["id"]] for i, h in enumerate(hits)]
    console.print(table(title, ("#", "date", "channel", "rating", "sentiment", "theme", "text", "id"), rows))


@index_app.command("verify")
def index_verify(
    home: HomeOpt = None,
    repair: Annotated[bool, typer.Option("--repair/--no-repair", help="Re-embed missing ids.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Check that store and index hold the same records; repair by re-embedding the missing ids."""
    from voc import vectors

    ws = open_workspace(home)
    with open_store(ws) as store:
        result = vectors.verify_index(ws, store, repair=repair)
    emit(result, as_json, lambda d: console.print(
        f"records {d['records']}, vectors {d['vectors']}, missing {d['missing']}, extra {d['extra']}"
        + (" (repaired)" if d["repaired"] else "") + (" ok" if d["ok"] else "")))


def forget(
    home: HomeOpt = None,
    customer: Annotated[str | None, typer.Option("--customer", help="Customer id or phone number.")] = None,
    record: Annotated[str | None, typer.Option("--record", help="Record id.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Erase a customer's or a record's data everywhere (personal-information deletion requests).

    Prints what was removed from where: records, turns, search index, quarantine, flag evidence, vectors,
    reports regenerated or deleted, models refitted, and the storage steps (FTS optimize, WAL truncate).
    """
    from voc.erasure import forget as erase

    ws = open_workspace(home)
    with open_store(ws) as store:
        result = erase(ws, store, customer=customer, record_id=record)
    emit(result.to_dict(), as_json, lambda _: typer.echo("\n".join(result.lines())))


def serve(
    home: HomeOpt = None,
    host: Annotated[str | None, typer.Option(help="Bind address (default from voc.toml).")] = None,
    port: PortOpt = None,
) -> None:
    """Start the HTTP API (GET /search, /records/{id}, /records/{id}/similar, /health; docs at /docs)."""
    import uvicorn

    from voc.api import create_app

    ws = open_workspace(home)
    cfg = ws.settings.api
    console.print(f"voc API on http://{host or cfg.host}:{port or cfg.port}/docs (token in {ws.config_path})")
    uvicorn.run(create_app(ws), host=host or cfg.host, port=port or cfg.port, log_level="warning")
