"""Ray Data as enrichment's engine: a pool of Ray actors scores or embeds the work items.

The function (with the sentiment model, taxonomy and embedder inside it) goes to the cluster once, through the
object store; each actor unpickles it once, then takes item after item. Ray Data restarts a killed actor and
retries its item (its default for actors), so a lost worker costs time, not records. Items go out ``window`` at a
time, one Ray Data job each, so the driver holds a bounded number of them whatever the workspace's size.
"""

from __future__ import annotations

import logging
import os
import pickle
import socket
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

import numpy as np

from voc.errors import VocError

T = TypeVar("T")
R = TypeVar("R")

WINDOW = 32  # work items per Ray Data job: 64,000 records at the store's 2,000 a batch

log = logging.getLogger(__name__)


class _Worker:
    """One Ray actor: loads the function once, then applies it to each pickled item it is given."""

    def __init__(self, fn_ref: list[Any]) -> None:
        import ray

        self.fn = ray.get(fn_ref[0])

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        results = [pickle.dumps(self.fn(pickle.loads(item))) for item in batch["item"]]
        return {"result": np.array(results, dtype=object)}


class RayEngine:
    """Connects to ``address`` (a bank's cluster: ``ray://head:10001`` or ``auto``) or starts a local Ray.

    ``workers`` actors run at once (default: one per CPU of the cluster), each taking one CPU.
    """

    name = "ray"
    remote = True

    def __init__(self, address: str | None = None, workers: int | None = None, window: int = WINDOW,
                 num_cpus: int | None = None) -> None:
        try:
            import ray
            import ray.data
        except ImportError:
            raise VocError("--engine ray needs Ray Data: pip install 'ray[data]'") from None
        self._started = False
        if address:
            check_reachable(address)
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        # Ray's C++ core logs at error level what it only suspects (constructor arguments in the object store);
        # its real failures still raise in Python.
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
        if not ray.is_initialized():
            try:
                ray.init(address=address, num_cpus=None if address else num_cpus, include_dashboard=False,
                         log_to_driver=False, logging_level=logging.WARNING)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = f"at {address}" if address else "on this machine"
                raise VocError(f"cannot start Ray {where}: {str(exc).splitlines()[0]}") from None
            self._started = True
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        cpus = int(ray.cluster_resources().get("CPU", 1))
        if workers is not None and workers < 1:
            raise VocError(f"--workers must be at least 1, not {workers}")
        self.workers = workers or max(1, cpus)
        self.window = window

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        import ray
        import ray.data

        ref = ray.put(fn)
        pending = iter(items)
        while window := list(islice(pending, self.window)):
            ds = ray.data.from_items([{"item": pickle.dumps(x)} for x in window])
            ds = ds.map_batches(
                _Worker,
                fn_constructor_args=([ref],),
                batch_size=1,
                compute=ray.data.ActorPoolStrategy(size=min(self.workers, len(window))),
                num_cpus=1,
                batch_format="numpy",
            )
            for out in ds.iter_batches(batch_size=None, batch_format="numpy"):
                for result in out["result"]:
                    yield pickle.loads(result)

    def close(self) -> None:
        """Stop the local Ray this engine started (a cluster it only connected to keeps running)."""
        if self._started:
            import ray

            ray.shutdown()
            self._started = False


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds on a cluster address nothing listens at (Ray itself retries for minutes)."""
    if address == "auto" or address.startswith("local"):
        return
    hostport = address.split("://", 1)[-1].rsplit("/", 1)[0]
    host, _, port = hostport.rpartition(":")
    if not host or not port.isdigit():
        raise VocError(f"--address {address!r} is not host:port, ray://host:port or auto")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            return
    except OSError as exc:
        raise VocError(f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}") from None
