"""Where enrichment's heavy work runs: this process (the default) or a Ray cluster (`voc enrich --engine ray`).

An engine maps a picklable function over a stream of work items and streams the results back; the caller keeps
every store read and write, so an engine never touches the store and a second engine needs no SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol, TypeVar

from voc.errors import VocError

T = TypeVar("T")
R = TypeVar("R")

ENGINES = ("local", "ray")


class Engine(Protocol):
    """Maps ``fn`` over ``items``; results may arrive in any order, so each one must say what it belongs to."""

    name: str
    remote: bool  # work leaves this process: what it is given must pickle, and workers cannot read the store

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]: ...

    def close(self) -> None: ...


class LocalEngine:
    """One item after another in this process: nothing to start, nothing to ship."""

    name = "local"
    remote = False

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        return map(fn, items)

    def close(self) -> None:
        return None


def make_engine(name: str = "local", address: str | None = None, workers: int | None = None) -> Engine:
    """The engine a command asked for; Ray is imported only when chosen."""
    if name == "local":
        if address:
            raise VocError("--address needs --engine ray: the local engine runs in this process")
        return LocalEngine()
    if name == "ray":
        from voc.ray_engine import RayEngine

        return RayEngine(address=address, workers=workers)
    raise VocError(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")


@contextmanager
def running(name: str = "local", address: str | None = None, workers: int | None = None) -> Iterator[Engine]:
    """An engine for one command, closed after it (a local Ray it started stops)."""
    engine = make_engine(name, address, workers)
    try:
        yield engine
    finally:
        engine.close()
