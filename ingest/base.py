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
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any, ClassVar

from voc.keys import subject_key
from voc.schema import Record
from voc.store import QuarantineItem
from voc.text import normalise, redact, truncate

log = logging.getLogger(__name__)

EXCERPT_CHARS = 200


class Reject(Exception):
    """Raised by ``build``: the item cannot become a record; the message is the quarantine reason.

    Reasons name the field and the problem, never the value: values only reach quarantine redacted, in the
    excerpt of the fields a subclass declares safe.
    """


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
    """Something that failed while reading (before build), already carrying its quarantine reason.

    ``excerpt`` is only ever built from parsed fields (see :func:`excerpt`), never from a raw line: a line that
    could not be parsed cannot be told apart into safe and identifying fields.
    """

    file: str
    locator: str
    reason: str
    excerpt: str = ""
    position: Position | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    """A cursor move without an item (a finished or unchanged file, the end of an API pull)."""

    position: Position


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file of an ingest folder that was not read, with the reason (reported with the run, not stored)."""

    file: str
    reason: str


ScanItem = RawItem | BadItem | Mark | Skipped


@dataclass(frozen=True, slots=True)
class Batch:
    """What ``pull`` yields and the runner commits in one transaction."""

    records: list[Record]
    quarantined: list[QuarantineItem]
    cursors: dict[str, Any]
    skipped: list[Skipped] = field(default_factory=list)
    origins: dict[int, tuple[str, str]] = field(default_factory=dict)  # id(record) -> (file, locator)

    def conflict_item(self, rec: Record) -> QuarantineItem:
        """Quarantine entry for a record whose id is stored with other content (``on_changed = "quarantine"``)."""
        file, locator = self.origins.get(id(rec), ("", f"record {rec.source_id}"))
        return QuarantineItem(
            rec.source, file, locator,
            "id already stored with different content; the stored version was kept (ingest.on_changed)",
            excerpt({"created_at": rec.created_at, "rating": rec.rating, "text": rec.text}), rec.customer_key,
        )


def excerpt(fields: Mapping[str, Any]) -> str:
    """``field=value | ...`` of parsed fields for quarantine: each value redacted whole, then shortened.

    Callers pass only content fields (text, time, rating, platform ...), never identifier columns.
    """
    parts = []
    for key, value in fields.items():
        if value in (None, ""):
            continue
        text = redact(normalise(str(value))).text
        parts.append(f"{key}={truncate(text, EXCERPT_CHARS)}")
    return truncate(" | ".join(parts), EXCERPT_CHARS)


ID_POLICIES = ("pii", "all")
MENTION_POLICIES = ("hash", "drop")


class Ingestor:
    """Base of all ingestors: subclasses implement ``scan`` and ``build``; ``pull`` is the sequential path.

    ``ids`` is the declared policy for identifier columns (``source_id``, ``agent_id``): ``"pii"`` replaces an
    id holding a phone, ID, card or e-mail by its salted key, ``"all"`` stores every id as a salted key.
    ``mentions`` says what happens to @handles in social posts: ``"hash"`` (salted keys) or ``"drop"``.
    """

    kind: ClassVar[str] = ""

    def __init__(
        self, source: str, salt: str = "", max_text_chars: int = 5000, *, ids: str = "pii", mentions: str = "hash"
    ) -> None:
        self.source = source
        self.salt = salt
        self.max_text_chars = max_text_chars
        self.ids = ids
        self.mentions = mentions

    @property
    def location(self) -> str:
        """Where the data comes from (a path or URL), recorded on the ingest run (redacted)."""
        return ""

    def scan(self, cursors: Mapping[str, Any]) -> Iterator[ScanItem]:
        raise NotImplementedError

    def build(self, item: RawItem) -> Record:
        raise NotImplementedError

    def excerpt_of(self, item: RawItem) -> str:
        """Redacted excerpt of a rejected item: subclasses name their content fields; the default shows none."""
        return ""

    def subject_of(self, item: RawItem) -> Any:
        """The raw customer id of an item, so a quarantined item can be erased with its customer."""
        return None

    def safe_id(self, value: Any) -> str | None:
        """An identifier column as stored, by the declared ``ids`` policy (see the class docstring)."""
        return pseudonymous_id(value, self.salt, self.ids)

    def safe_name(self, name: str) -> str:
        """A file or item name for quarantine and cursors: redacted, made unique again by a salted key."""
        red = redact(name).text
        if red == name:
            return name
        path = PurePosixPath(red)
        return f"{path.with_suffix('')}~{subject_key(name, self.salt)[:8]}{path.suffix}"  # type: ignore[index]

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
                out.append(self.quarantine(item, f"unexpected error ({type(exc).__name__}); see the log"))
        return out

    def quarantine(self, item: RawItem | BadItem, reason: str) -> QuarantineItem:
        if isinstance(item, BadItem):
            return QuarantineItem(self.source, item.file, item.locator, reason, item.excerpt)
        try:
            key = subject_key(ident(self.subject_of(item)), self.salt)
        except Exception:  # an unreadable id must not lose the quarantine entry
            key = None
        return QuarantineItem(self.source, item.file, item.locator, reason, self.excerpt_of(item), key)

    def assemble(self, chunk: Sequence[ScanItem], built: Sequence[Record | QuarantineItem]) -> Batch:
        """Join scanned items with their built results (same order) into a committable batch."""
        batch = Batch([], [], {})
        results = iter(built)
        for item in chunk:
            if isinstance(item, Skipped):
                batch.skipped.append(item)
                continue
            if isinstance(item, RawItem):
                res = next(results)
                if isinstance(res, Record):
                    batch.records.append(res)
                    batch.origins[id(res)] = (item.file, item.locator)
                else:
                    batch.quarantined.append(res)
            elif isinstance(item, BadItem):
                batch.quarantined.append(self.quarantine(item, item.reason))
            if item.position is not None:
                batch.cursors[item.position.key] = item.position.value
        return batch


def ident(value: Any) -> str | None:
    """An id cell as text: Excel's 12.0 becomes '12', blanks become None."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def pseudonymous_id(value: Any, salt: str, policy: str = "pii") -> str | None:
    """``source_id`` / ``agent_id`` as stored: a salted key ('h:' + 16 hex) when the policy asks, else the id.

    Under ``"pii"`` only ids that hold personal data (a phone, ID, card or e-mail, in any shape redaction
    knows) are replaced, so ordinary ids still trace a record back to the source system.
    """
    text = ident(value)
    if text is None:
        return None
    if policy == "all" or redact(text).counts:
        return f"h:{subject_key(text, salt)}"
    return text
