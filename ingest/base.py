"""The contract every ingestor follows, and the small types that travel between reading and storing.

Ingesting is split in two so the expensive half can run in a process pool:

* ``scan(cursors)`` runs in the main process and reads the source in order: it yields ``RawItem``s (a parsed
  row, line, call or API item), ``BadItem``s (something that failed while reading, e.g. invalid JSON) and
  ``Mark``s (a cursor move with no item, e.g. "this file is finished"). Every item carries the cursor
  position *after* it, so the runner can commit any prefix of the stream together with its cursors.
* ``build(item)`` turns one RawItem into a ``Record`` (normalise, redact, segment, hash ids) or raises
  ``Reject`` with a reason a person can act on. It is a pure function of the item and the ingestor's
  settings, which is what makes it safe to run in worker processes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from voc.schema import Record
from voc.store import QuarantineItem
from voc.text import normalise, redact

log = logging.getLogger(__name__)

EXCERPT_CHARS = 200

# Fields never shown in a quarantine excerpt: they are raw personal identifiers.
PRIVATE_FIELDS = frozenset({"customer_id", "author", "phone", "mobile"})


class Reject(Exception):
    """Raised by ``build``: the item cannot become a record; the message is the quarantine reason."""


@dataclass(frozen=True, slots=True)
class Position:
    """A cursor move: ``key`` within the source (e.g. ``file:calls/2026-03/C1.json``) and its new value."""

    key: str
    value: Any


@dataclass(frozen=True, slots=True)
class RawItem:
    """One unit read from a source, not yet cleaned; ``data`` is a plain dict so it pickles cheaply."""

    file: str
    locator: str
    data: Any
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class BadItem:
    """Something that failed while reading (before build), already carrying its quarantine reason."""

    file: str
    locator: str
    reason: str
    excerpt: str = ""
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """A cursor move without an item (a finished or unchanged file, the end of an API pull)."""

    position: Position


ScanItem = RawItem | BadItem | Mark


@dataclass(frozen=True, slots=True)
class Batch:
    """What ``pull`` yields and the runner commits in one transaction."""

    records: list[Record]
    quarantined: list[QuarantineItem]
    cursors: dict[str, Any]


def excerpt(value: Any) -> str:
    """A redacted, short rendering of raw input for the quarantine table (never raw PII, never huge)."""
    if isinstance(value, Mapping):
        value = " | ".join(
            f"{k}={v}" for k, v in value.items() if str(k) not in PRIVATE_FIELDS and v not in (None, "")
        )
    elif isinstance(value, bytes):
        value = value[:4000].decode("utf-8", errors="replace")
    text = normalise(str(value)[:1000])
    return redact(text).text[:EXCERPT_CHARS]


class Ingestor:
    """Base of all ingestors: subclasses implement ``scan`` and ``build``; ``pull`` is the sequential path."""

    kind: ClassVar[str] = ""

    def __init__(self, source: str, salt: str = "", max_text_chars: int = 5000) -> None:
        self.source = source
        self.salt = salt
        self.max_text_chars = max_text_chars

    @property
    def location(self) -> str:
        """Where the data comes from (a path or URL), recorded on the ingest run."""
        return ""

    def scan(self, cursors: Mapping[str, Any]) -> Iterator[ScanItem]:
        raise NotImplementedError

    def build(self, item: RawItem) -> Record:
        raise NotImplementedError

    def excerpt_of(self, item: RawItem) -> str:
        """Redacted excerpt of a rejected item; subclasses hide their own identifier columns."""
        return excerpt(item.data)

    def build_many(self, items: Sequence[RawItem]) -> list[Record | QuarantineItem]:
        """Build a chunk; a rejected or crashing item becomes a quarantine entry, never an exception."""
        out: list[Record | QuarantineItem] = []
        for item in items:
            try:
                out.append(self.build(item))
            except Reject as exc:
                out.append(self.quarantine(item, str(exc)))
            except Exception as exc:  # a bug or bizarre input must not stop the run or lose the item
                log.exception("unexpected error building %s %s", item.file, item.locator)
                out.append(self.quarantine(item, f"unexpected error ({type(exc).__name__}: {exc})"))
        return out

    def quarantine(self, item: RawItem | BadItem, reason: str) -> QuarantineItem:
        text = item.excerpt if isinstance(item, BadItem) else self.excerpt_of(item)
        return QuarantineItem(self.source, item.file, item.locator, reason, text)

    def pull(self, cursors: Mapping[str, Any], batch_size: int = 2000) -> Iterator[Batch]:
        """Sequential ``scan`` + ``build`` in batches, each with the cursor positions after it."""
        chunk: list[ScanItem] = []
        for item in self.scan(cursors):
            chunk.append(item)
            if len(chunk) >= batch_size:
                yield self.assemble(chunk, self.build_many([i for i in chunk if isinstance(i, RawItem)]))
                chunk = []
        if chunk:
            yield self.assemble(chunk, self.build_many([i for i in chunk if isinstance(i, RawItem)]))

    def assemble(self, chunk: Sequence[ScanItem], built: Sequence[Record | QuarantineItem]) -> Batch:
        """Join scanned items with their built results (same order) into a committable batch."""
        records: list[Record] = []
        quarantined: list[QuarantineItem] = []
        cursors: dict[str, Any] = {}
        results = iter(built)
        for item in chunk:
            if isinstance(item, RawItem):
                res = next(results)
                (records if isinstance(res, Record) else quarantined).append(res)  # type: ignore[arg-type]
            elif isinstance(item, BadItem):
                quarantined.append(self.quarantine(item, item.reason))
            if item.position is not None:
                cursors[item.position.key] = item.position.value
        return Batch(records, quarantined, cursors)
