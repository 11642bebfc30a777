"""HTTP API for analysts' tools: search, records and "more like this" over one workspace (FastAPI, thin)."""

from __future__ import annotations

import contextlib
from datetime import date
from functools import cached_property
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from voc import access, vectors
from voc import search as search_mod
from voc.access import User
from voc.errors import VocError
from voc.store import Filters, Store
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

    @cached_property
    def audit_store(self) -> Store:
        """The one writing connection: audit events only, which never move the change stamp."""
        return Store.open(self.ws.db_path, lock_timeout=self.ws.settings.store.lock_timeout)

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
    """The API for a workspace; every route but /health needs a token.

    The workspace token ([api] token in voc.toml) is for machines and sees everything; a user's token
    (`voc users token NAME`) carries that user's scope, so a branch user's token only reaches their branch.
    """
    app = FastAPI(
        title="voc API", version="1", description="客户之声检索接口：语义 + 关键词混合检索、记录详情、相似记录。"
    )
    backend = Backend(ws)
    bearer = HTTPBearer(auto_error=False)

    def auth(request: Request, _: HTTPAuthorizationCredentials | None = Depends(bearer)) -> User:
        user = caller(request)
        if user is None:
            raise HTTPException(401, "missing or wrong API token: send 'Authorization: Bearer <token>'")
        return user

    def caller(request: Request) -> User | None:
        header = request.headers.get("authorization", "")
        given = header[7:] if header.lower().startswith("bearer ") else request.headers.get("x-api-token", "")
        try:
            return access.user_of_token(backend.store, given.strip(), ws.settings.api.token)
        except VocError:
            return None

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
            records = backend.store.records.count_records()
            index = backend.index
        except (VocError, OSError):
            return JSONResponse({"status": "not ok"}, status_code=503)
        body: dict[str, Any] = {"status": "ok"}
        if caller(request) is not None:
            body.update(records=records, vectors=len(index) if index else 0)
        return JSONResponse(body)

    @app.get("/search")
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
        user: User = Depends(auth),  # a default, not Annotated: auth is local, and annotations are strings here
    ) -> dict[str, Any]:
        if since and until and since > until:
            raise HTTPException(422, f"since ({since}) is after until ({until})")
        filters = Filters(
            channel=channel, since=since.isoformat() if since else None, until=until.isoformat() if until else None,
            rating_min=rating_min, rating_max=rating_max, sentiment=sentiment, theme_id=theme_id,
            process_step=process_step, branch=branch, product=product, agent_id=agent_id,
        )
        filters = access.scope(filters, user)
        backend.audit_store.access.audit(user.name, "api_search", access.audit_query(q, filters))
        hits = search_mod.search(backend.store, backend.index, backend.embedder, q, k=k, mode=mode,
                                 filters=filters, offset=offset)
        return {"query": q, "mode": mode, "k": k, "offset": offset, "results": [h.to_dict() for h in hits]}

    @app.get("/records/{record_id}")
    def record(record_id: Annotated[str, Path(max_length=64)], user: User = Depends(auth)) -> dict[str, Any]:
        rec = backend.store.records.get_record(record_id)
        if not access.may_see(rec, user):  # another branch's record is as absent as a missing one
            raise HTTPException(404, f"no record with id {record_id}")
        assert rec is not None
        backend.audit_store.access.audit(user.name, "api_record", record_id)
        rec.pop("rid", None)
        if rec["channel"] == "call":
            rec["turns"] = backend.store.records.get_turns(record_id)
        return rec

    @app.get("/records/{record_id}/similar")
    def similar(
        record_id: Annotated[str, Path(max_length=64)], k: Annotated[int, Query(ge=1, le=100)] = 20,
        user: User = Depends(auth),
    ) -> dict[str, Any]:
        if backend.index is None:
            raise HTTPException(409, "no vector index in this workspace yet: run `voc enrich`")
        if not access.may_see(backend.store.records.get_record(record_id), user):
            raise HTTPException(404, f"no record with id {record_id}")
        hits = search_mod.more_like_this(backend.store, backend.index, record_id, k=k,
                                         filters=access.scope(Filters(), user))
        return {"id": record_id, "results": [h.to_dict() for h in hits]}

    return app
