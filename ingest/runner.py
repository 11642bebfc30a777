"""Runs an ingestor against the store: batches, cursors, quarantine, progress and an optional process pool.

Each batch (records + quarantine rows + cursor moves + run counters) is one ``RunsRepository.write_batch``
transaction, so an interrupted run leaves the store exactly at a batch boundary and the next incremental
run continues from the committed cursors. With ``workers > 1`` the ``build`` step (normalise, redact,
segment) runs in a process pool on chunks of a few hundred items, results in order; only this process
writes to the store.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import operator
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ingest.base import Batch, Ingestor, RawItem, ScanItem
from voc.errors import VocError
from voc.schema import Record, Turn
from voc.store import QuarantineItem, Store
from voc.text import redact
from voc.text.segment import get_segmenter

log = logging.getLogger(__name__)

CHUNK = 300


@dataclass
class RunResult:
    """What one ingest run did; read = new + updated + duplicates + quarantined always holds.

    ``skipped`` lists the files of the folder that were not read, each with its reason.
    """

    run_id: int
    source: str
    kind: str
    location: str
    status: str = "ok"
    read: int = 0
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    quarantined: int = 0
    message: str = ""
    problems: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _chunks(items: Iterable[ScanItem], size: int) -> Iterator[list[ScanItem]]:
    chunk: list[ScanItem] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# Work crosses the process boundary as plain tuples: slotted and frozen dataclasses pickle through
# Python-level state hooks, which cost more per item than building it. Positions stay in this process.
_RECORD_FIELDS = tuple(f.name for f in fields(Record))
_TURNS = _RECORD_FIELDS.index("turns")
_record_values = operator.attrgetter(*_RECORD_FIELDS)
_turn_values = operator.attrgetter(*(f.name for f in fields(Turn)))

Packed = tuple | QuarantineItem


def _pack(built: Sequence[Record | QuarantineItem]) -> list[Packed]:
    out: list[Packed] = []
    for res in built:
        if isinstance(res, Record):
            values = list(_record_values(res))
            values[_TURNS] = [_turn_values(t) for t in res.turns]
            out.append(tuple(values))
        else:
            out.append(res)
    return out


def _unpack(packed: Sequence[Packed]) -> list[Record | QuarantineItem]:
    out: list[Record | QuarantineItem] = []
    for res in packed:
        if isinstance(res, tuple):
            values = list(res)
            values[_TURNS] = [Turn(*t) for t in res[_TURNS]]
            out.append(Record(*values))
        else:
            out.append(res)
    return out


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when the ingest process is gone, even if it was killed -9.

    On Linux the kernel sends SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG); elsewhere a daemon thread
    polls the parent id. Either way no orphaned worker is left holding the files and the CPU.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)
        return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _build_chunk(ingestor: Ingestor, items: Sequence[tuple[str, str, Any]]) -> list[Packed]:
    """Runs in a worker: rebuild the items, build them, send the results back packed."""
    return _pack(ingestor.build_many([RawItem(file, locator, data) for file, locator, data in items]))


def _built_batches(
    ingestor: Ingestor, scanned: Iterable[ScanItem], batch_size: int, workers: int
) -> Iterator[Batch]:
    """Batches in source order; chunks are built in a bounded window of pool tasks so memory stays flat."""
    if workers <= 1:
        for chunk in _chunks(scanned, batch_size):
            yield ingestor.assemble(chunk, ingestor.build_many([i for i in chunk if isinstance(i, RawItem)]))
        return
    get_segmenter()  # load jieba once here; forked workers inherit it instead of loading it each
    ctx = multiprocessing.get_context("fork") if sys.platform.startswith("linux") else None
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        window: deque[tuple[list[ScanItem], Future]] = deque()
        pending: list[ScanItem] = []
        built: list[Record | QuarantineItem] = []

        def drain_one() -> None:
            chunk, fut = window.popleft()
            pending.extend(chunk)
            built.extend(_unpack(fut.result()))

        for chunk in _chunks(scanned, CHUNK):
            raw = [(i.file, i.locator, i.data) for i in chunk if isinstance(i, RawItem)]
            window.append((chunk, pool.submit(_build_chunk, ingestor, raw)))
            while len(window) > 2 * workers + 1:
                drain_one()
            if len(pending) >= batch_size:
                yield ingestor.assemble(pending, built)
                pending, built = [], []
        while window:
            drain_one()
        if pending:
            yield ingestor.assemble(pending, built)


def _progress(source: str, show: bool | None) -> Callable[[int], None] | None:
    """A tqdm counter on stderr that only appears for pulls longer than a moment, and only on a terminal."""
    if show is False or (show is None and not sys.stderr.isatty()):
        return None
    from tqdm import tqdm

    bar = tqdm(desc=f"ingest {source}", unit=" items", file=sys.stderr, delay=1.0, leave=False)

    def update(n: int) -> None:
        if n < 0:
            bar.close()
        else:
            bar.update(n)

    return update


def run_ingestor(
    store: Store,
    ingestor: Ingestor,
    batch_size: int = 2000,
    workers: int = 1,
    incremental: bool = True,
    progress: bool | None = None,
    on_changed: str = "update",
) -> RunResult:
    """Ingest everything the source has (or, incrementally, everything new since its cursors).

    A failure that stops the source as a whole (unreachable API, unreadable folder) finishes the run as
    'failed' with the message and re-raises; the batches committed before it stay, with their cursors.
    ``on_changed`` is the declared policy for a stored id arriving with other content (see RunsRepository.write_batch).
    """
    run_id = store.runs.start_run(ingestor.source, ingestor.kind, ingestor.location)
    result = RunResult(run_id, ingestor.source, ingestor.kind, ingestor.location)
    cursors = {c["key"]: c["value"] for c in store.runs.get_cursors(ingestor.source)} if incremental else {}
    tick = _progress(ingestor.source, progress)
    try:
        for batch in _built_batches(ingestor, ingestor.scan(cursors), batch_size, workers):
            moves = {(ingestor.source, k): v for k, v in batch.cursors.items()}
            res = store.runs.write_batch(
                run_id, batch.records, batch.quarantined, moves, on_changed=on_changed, conflict=batch.conflict_item
            )
            conflicts = [batch.conflict_item(r) for r in res.conflicts]
            result.new += res.new
            result.updated += res.updated
            result.duplicates += res.duplicates
            result.quarantined += len(batch.quarantined) + len(conflicts)
            result.read += len(batch.records) + len(batch.quarantined)
            shown = [*batch.quarantined, *conflicts][: max(0, 20 - len(result.problems))]
            result.problems.extend(q.message() for q in shown)
            result.skipped.extend(f"{s.file}: {s.reason}" for s in batch.skipped)
            if tick:
                tick(len(batch.records) + len(batch.quarantined))
    except BaseException as exc:
        result.status = "failed"
        result.message = redact(str(exc) or type(exc).__name__).text
        try:
            store.runs.finish_run(run_id, "failed", result.message[:500])
        except VocError as finish_error:  # e.g. the lock that failed the run: the run reads 'aborted' later
            log.warning("could not mark run %d failed: %s", run_id, finish_error)
        raise
    finally:
        if tick:
            tick(-1)
    store.runs.finish_run(run_id, "ok", "")
    log.info("%s: read %d, new %d, duplicates %d, quarantined %d", ingestor.source, result.read,
             result.new, result.duplicates, result.quarantined)
    return result
