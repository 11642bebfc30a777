"""HTTP API for analysts' tools: search, records and "more like this" over one workspace (FastAPI, thin)."""

from __future__ import annotations

import secrets
from datetime import date
from functools import cached_property
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from voc import search as search_mod
from voc import vectors
from voc.errors import VocError
from voc.store import SearchFilters, Store
from voc.workspace import Workspace

CHANNELS = ("rating", "call", "social")


class Backend:
    """What the API needs, loaded once: a read-only store connection, the embedder and the index."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    @cached_property
    def store(self) -> Store:
        return Store.open(self.ws.db_path, readonly=True)

    @cached_property
    def embedder(self) -> Any:
        return vectors.load_embedder(self.ws)

    @cached_property
    def index(self) -> Any:
        return vectors.load_index(self.ws)


def create_app(ws: Workspace) -> FastAPI:
    """The API for a workspace; every route but /health needs the token from voc.toml ([api] token)."""
    app = FastAPI(
        title="voc API", version="1", description="客户之声检索接口：语义 + 关键词混合检索、记录详情、相似记录。"
    )
    backend = Backend(ws)
    bearer = HTTPBearer(auto_error=False)

    def auth(request: Request, creds: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        token = ws.settings.api.token
        given = creds.credentials if creds else request.headers.get("x-api-token", "")
        if not token or not secrets.compare_digest(given.encode(), token.encode()):
            raise HTTPException(401, "missing or wrong API token: send 'Authorization: Bearer <token>'")

    @app.exception_handler(VocError)
    async def voc_error(_: Request, exc: VocError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.get("/health")
    def health() -> dict[str, Any]:
        index = backend.index
        return {"status": "ok", "records": backend.store.count_records(), "vectors": len(index) if index else 0}

    @app.get("/search", dependencies=[Depends(auth)])
    def search(
        q: Annotated[str, Query(min_length=1, max_length=500, description="查询，例如：客户为什么抱怨转账额度")],
        k: Annotated[int, Query(ge=1, le=100)] = 20,
        offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
        mode: search_mod.Mode = search_mod.Mode.hybrid,
        channel: Annotated[str | None, Query(pattern="^(rating|call|social)$")] = None,
        since: date | None = None,
        until: date | None = None,
        rating_min: float | None = None,
        rating_max: float | None = None,
        sentiment: Annotated[str | None, Query(pattern="^(负面|中性|正面)$")] = None,
        theme_id: int | None = None,
        process_step: str | None = None,
        branch: str | None = None,
        product: str | None = None,
        agent_id: str | None = None,
    ) -> dict[str, Any]:
        if since and until and since > until:
            raise HTTPException(422, f"since ({since}) is after until ({until})")
        filters = SearchFilters(
            channel=channel, since=since.isoformat() if since else None, until=until.isoformat() if until else None,
            rating_min=rating_min, rating_max=rating_max, sentiment=sentiment, theme_id=theme_id,
            process_step=process_step, branch=branch, product=product, agent_id=agent_id,
        )
        hits = search_mod.search(backend.store, backend.index, backend.embedder, q, k=k, mode=mode,
                                 filters=filters, offset=offset)
        return {"query": q, "mode": mode, "k": k, "offset": offset, "results": [h.to_dict() for h in hits]}

    @app.get("/records/{record_id}", dependencies=[Depends(auth)])
    def record(record_id: str) -> dict[str, Any]:
        rec = backend.store.get_record(record_id)
        if rec is None:
            raise HTTPException(404, f"no record with id {record_id}")
        rec.pop("rid", None)
        if rec["channel"] == "call":
            rec["turns"] = backend.store.get_turns(record_id)
        return rec

    @app.get("/records/{record_id}/similar", dependencies=[Depends(auth)])
    def similar(record_id: str, k: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
        if backend.index is None:
            raise HTTPException(409, "no vector index in this workspace yet: run `voc enrich`")
        if backend.store.get_record(record_id) is None:
            raise HTTPException(404, f"no record with id {record_id}")
        hits = search_mod.more_like_this(backend.store, backend.index, record_id, k=k)
        return {"id": record_id, "results": [h.to_dict() for h in hits]}

    return app
