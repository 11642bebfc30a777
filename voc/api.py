"""HTTP API for analysts' tools: search, records and "more like this" over one workspace (FastAPI, thin)."""

from __future__ import annotations

import contextlib
import secrets
from datetime import date
from functools import cached_property
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from voc import search as search_mod
from voc import vectors
from voc.errors import VocError
from voc.store import SearchFilters, Store
from voc.workspace import Workspace

CHANNELS = ("rating", "call", "social")
MAX_ID = 2**63 - 1  # SQLite integers are 64-bit: a larger theme id is a 422, not a 500


class Backend:
    """What the API needs: a read-only store connection, the embedder and the index.

    The embedder and index are loaded once and loaded again when the store's ``last_change`` stamp moves
    (an ingest, an enrich, a `voc forget`), so a running server never serves erased records or stale counts.
    """

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self._seen: str | None = None
        self._embedder: Any = None
        self._index: Any = None

    @cached_property
    def store(self) -> Store:
        return Store.open(self.ws.db_path, readonly=True)

    def refresh(self) -> None:
        stamp = self.store.last_change()
        if stamp != self._seen:
            self._seen = stamp
            self._embedder = self._index = None
            self.ws.recover()

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            self._embedder = vectors.load_embedder(self.ws)
        return self._embedder

    @property
    def index(self) -> Any:
        if self._index is None:
            self._index = vectors.load_index(self.ws)
        return self._index


def create_app(ws: Workspace) -> FastAPI:
    """The API for a workspace; every route but /health needs the token from voc.toml ([api] token)."""
    app = FastAPI(
        title="voc API", version="1", description="客户之声检索接口：语义 + 关键词混合检索、记录详情、相似记录。"
    )
    backend = Backend(ws)
    bearer = HTTPBearer(auto_error=False)

    def auth(request: Request, _: HTTPAuthorizationCredentials | None = Depends(bearer)) -> None:
        if not authorised(request):
            raise HTTPException(401, "missing or wrong API token: send 'Authorization: Bearer <token>'")

    def authorised(request: Request) -> bool:
        token = ws.settings.api.token
        header = request.headers.get("authorization", "")
        given = header[7:] if header.lower().startswith("bearer ") else request.headers.get("x-api-token", "")
        return bool(token) and secrets.compare_digest(given.encode(), token.encode())

    @app.middleware("http")
    async def reload_after_changes(request: Request, call_next: Any) -> Any:
        with contextlib.suppress(VocError):  # /health reports it; other routes fail with the store's error
            backend.refresh()
        return await call_next(request)

    @app.exception_handler(VocError)
    async def voc_error(_: Request, exc: VocError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.get("/health")
    def health(request: Request) -> JSONResponse:
        """ok / not ok for anyone; record and vector counts only with the token."""
        try:
            records = backend.store.count_records()
            index = backend.index
        except (VocError, OSError):
            return JSONResponse({"status": "not ok"}, status_code=503)
        body: dict[str, Any] = {"status": "ok"}
        if authorised(request):
            body.update(records=records, vectors=len(index) if index else 0)
        return JSONResponse(body)

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
        theme_id: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
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
    def record(record_id: Annotated[str, Path(max_length=64)]) -> dict[str, Any]:
        rec = backend.store.get_record(record_id)
        if rec is None:
            raise HTTPException(404, f"no record with id {record_id}")
        rec.pop("rid", None)
        if rec["channel"] == "call":
            rec["turns"] = backend.store.get_turns(record_id)
        return rec

    @app.get("/records/{record_id}/similar", dependencies=[Depends(auth)])
    def similar(
        record_id: Annotated[str, Path(max_length=64)], k: Annotated[int, Query(ge=1, le=100)] = 20
    ) -> dict[str, Any]:
        if backend.index is None:
            raise HTTPException(409, "no vector index in this workspace yet: run `voc enrich`")
        if backend.store.get_record(record_id) is None:
            raise HTTPException(404, f"no record with id {record_id}")
        hits = search_mod.more_like_this(backend.store, backend.index, record_id, k=k)
        return {"id": record_id, "results": [h.to_dict() for h in hits]}

    return app
