"""HTTP pull connector for JSON APIs (social listening vendors, complaint platforms).

The cursor is ``{"since": ..., "pending": ...}``. ``since`` only moves forward once a pull has walked every
page, because APIs often return newest first: advancing it mid-pull would skip the older pages still to
come. While a pull is under way, ``pending`` holds the page being read, so a crashed pull resumes at that
page (re-reading part of it costs duplicates, never gaps).
"""

from __future__ import annotations

import email.utils
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from ingest.base import BadItem, Mark, Position, RawItem, Reject, ScanItem
from ingest.social import SocialIngestor
from ingest.times import parse_time
from voc.errors import IngestError
from voc.text import redact

log = logging.getLogger(__name__)

CURSOR_KEY = "api"


def dig(obj: Any, path: str | None) -> Any:
    """Value at a dotted path ('data.items'); an empty path is the object itself."""
    if not path:
        return obj
    for part in path.split("."):
        if isinstance(obj, Mapping):
            obj = obj.get(part)
        elif isinstance(obj, list) and part.isdigit() and int(part) < len(obj):
            obj = obj[int(part)]
        else:
            return None
    return obj


def retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class HttpIngestor(SocialIngestor):
    """Pages through a JSON API with cursor or page-number pagination and an incremental ``since``."""

    kind = "social"

    def __init__(
        self,
        url: str,
        source: str | None = None,
        salt: str = "",
        max_text_chars: int = 5000,
        items_path: str = "items",
        id_field: str = "id",
        time_field: str = "posted_at",
        text_field: str = "text",
        author_field: str = "author",
        platform_field: str = "platform",
        cursor_path: str | None = None,
        cursor_param: str = "cursor",
        page_param: str | None = None,
        page_start: int = 1,
        since_param: str | None = None,
        since_format: str = "iso",
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        platform: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_wait: float = 120.0,
        max_pages: int = 100_000,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Any,
    ) -> None:
        parts = urlsplit(url)
        super().__init__(
            parts.path or url, source or parts.hostname or "api", salt, max_text_chars, platform=platform, **options
        )
        self.url = url
        self.display = f"{parts.scheme}://{parts.netloc}{parts.path}"  # never the query: it may hold a token
        self.items_path = items_path
        self.fields = {
            "source_id": id_field, "posted_at": time_field, "text": text_field,
            "author": author_field, "platform": platform_field,
        }
        self.cursor_path = cursor_path
        self.cursor_param = cursor_param
        self.page_param = page_param
        self.page_start = page_start
        self.since_param = since_param
        self.since_format = since_format
        self.params = dict(params or {})
        self.headers = {k: os.path.expandvars(str(v)) for k, v in (headers or {}).items()}
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.max_pages = max_pages
        self.client = client
        self.sleep = sleep

    def __getstate__(self) -> dict[str, Any]:
        """Worker processes only build items; the HTTP client and sleep function stay in the main process."""
        state = self.__dict__.copy()
        state["client"] = None
        state["sleep"] = None
        return state

    @property
    def location(self) -> str:
        return redact(self.display).text

    def _since_value(self, since: str) -> Any:
        if self.since_format == "iso":
            return since
        seconds = datetime.fromisoformat(since).timestamp()
        return int(seconds * 1000) if self.since_format == "epoch_ms" else int(seconds)

    def get_page(self, client: httpx.Client, params: dict[str, Any], page_no: int) -> Any:
        """GET with retries: 429 waits Retry-After (or backs off), 5xx and network errors back off exponentially."""
        last = ""
        for attempt in range(self.max_retries + 1):
            wait = min(self.backoff * 2**attempt, self.max_wait)
            try:
                resp = client.get(self.url, params=params, headers=self.headers, timeout=self.timeout)
            except httpx.TransportError as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if resp.status_code == 429:
                    hinted = retry_after(resp)
                    wait = min(hinted, self.max_wait) if hinted is not None else wait
                    last = "429 Too Many Requests"
                elif resp.status_code >= 500:
                    last = f"{resp.status_code} server error"
                elif resp.status_code >= 400:
                    raise IngestError(f"{self.display} page {page_no}: HTTP {resp.status_code}: {resp.text[:200]}")
                else:
                    try:
                        return resp.json()
                    except ValueError:
                        raise IngestError(f"{self.display} page {page_no}: the response is not JSON") from None
            if attempt == self.max_retries:
                break
            log.info("%s page %d: %s, retrying in %.1fs", self.display, page_no, last, wait)
            self.sleep(wait)
        raise IngestError(f"{self.display} page {page_no}: giving up after {self.max_retries + 1} attempts ({last})")

    def scan(self, cursors: Mapping[str, Any]) -> Iterator[ScanItem]:
        state = cursors.get(CURSOR_KEY) or {}
        since = state.get("since")
        pending = state.get("pending") or {}
        since_used = pending.get("since", since)
        token = pending.get("token", None if self.cursor_path else self.page_start)
        max_seen = pending.get("max_seen", since)
        client = self.client or httpx.Client()
        try:
            for page_no in range(1, self.max_pages + 1):
                params = dict(self.params)
                if self.since_param and since_used:
                    params[self.since_param] = self._since_value(since_used)
                if self.cursor_path and token:
                    params[self.cursor_param] = token
                elif self.page_param:
                    params[self.page_param] = token
                body = self.get_page(client, params, page_no)
                items = dig(body, self.items_path)
                if not isinstance(items, list):
                    raise IngestError(f"{self.display} page {page_no}: no list at items_path '{self.items_path}'")
                if self.cursor_path:
                    nxt = dig(body, self.cursor_path)
                    nxt = nxt if nxt not in ("", None, token) else None
                else:
                    nxt = token + 1 if self.page_param and items else None
                for i, item in enumerate(items):
                    max_seen = self._later(max_seen, item)
                    here = nxt if i == len(items) - 1 else token
                    pos = Position(CURSOR_KEY, {"since": since, "pending": {
                        "since": since_used, "token": here, "max_seen": max_seen,
                    }})
                    yield self._item(item, page_no, i, pos)
                if not items or nxt is None:
                    break
                token = nxt
        finally:
            if self.client is None:
                client.close()
        yield Mark(Position(CURSOR_KEY, {"since": max_seen, "pending": None}))

    def _later(self, max_seen: str | None, item: Any) -> str | None:
        try:
            t = parse_time(dig(item, self.fields["posted_at"]), "time")
        except (Reject, TypeError):
            return max_seen
        return t if max_seen is None or t > max_seen else max_seen

    def _item(self, item: Any, page_no: int, i: int, pos: Position) -> ScanItem:
        if not isinstance(item, Mapping):
            return BadItem(self.display, f"page {page_no} item {i + 1}", "expected a JSON object", "", pos)
        got = {field: dig(item, path) for field, path in self.fields.items()}
        shown = self.safe_id(got["source_id"])
        loc = f"id {shown}" if shown else f"page {page_no} item {i + 1}"
        used = {p.split(".")[0] for p in self.fields.values()}
        data = {
            **{k: v for k, v in got.items() if v is not None},
            **{k: item[k] for k in ("url", "likes", "reposts", "comments") if k in item},
            "extra": {
                k: v for k, v in item.items()
                if k not in used and k not in ("url", "likes", "reposts", "comments") and not isinstance(v, dict | list)
            },
            "file": self.display,
            "raw": [item.get(k) for k in sorted(item)],
        }
        return RawItem(self.display, loc, data, pos)
