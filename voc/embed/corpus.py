"""The default embedder: word2vec trained on the workspace's own corpus, pooled with SIF weights.

Chosen by measurement on online_shopping_9_cats (precision@10 of category neighbours, see
``bench/bench_embed.py``): skip-gram word2vec with a wide window, pooled with smooth-inverse-frequency
weights, beat TF-IDF, TF-IDF->SVD and CBOW/FastText variants while fitting offline in about a minute.
Common-component removal and mean-centering lowered precision there, so they are not applied.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
from tqdm.auto import tqdm

from voc.artifacts import manifest_identity
from voc.embed.base import Embedder, corpus_hash, l2_normalise, load_array, read_folder
from voc.text.segment import get_segmenter

log = logging.getLogger(__name__)


def stable_hash(text: str) -> int:
    """Process-independent hash for gensim's vector seeding (built-in hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=4).digest(), "little")


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    seg = get_segmenter()
    return [seg.words(t or "") for t in texts]


class CorpusEmbedder(Embedder):
    """Skip-gram word2vec fitted on the corpus + SIF-weighted mean of word vectors (no labels used)."""

    kind: ClassVar[str] = "corpus_w2v_sif"
    artifact_kind: ClassVar[str] = "voc.embed.CorpusEmbedder"
    libraries: ClassVar[tuple[str, ...]] = ("numpy", "gensim", "jieba")
    # dev split, with the character-bigram keyword side: short questions (ATEC) best at 0.05, long reviews
    # (shopping) at 0.7; each above both halves on its own row
    fusion_weight: ClassVar[float | None] = 0.05
    fusion_weight_long: ClassVar[float | None] = 0.7

    def __init__(
        self,
        dim: int = 256,
        window: int = 10,
        epochs: int | None = None,
        token_passes: int = 3_000_000,
        max_epochs: int = 20,
        negative: int = 3,
        min_count: int = 2,
        sif_a: float = 1e-2,
        max_fit_texts: int = 100_000,
        random_state: int = 0,
    ) -> None:
        self.dim = dim
        self.window = window
        self.epochs = epochs
        self.token_passes = token_passes
        self.max_epochs = max_epochs
        self.negative = negative
        self.min_count = min_count
        self.sif_a = sif_a
        self.max_fit_texts = max_fit_texts
        self.random_state = random_state

    def fit(self, texts: Sequence[str]) -> CorpusEmbedder:
        """Train word vectors on (a seeded sample of at most ``max_fit_texts`` of) the texts."""
        from gensim.models import Word2Vec

        texts = [t or "" for t in texts]
        if len(texts) > self.max_fit_texts:
            rng = np.random.default_rng(self.random_state)
            texts = [texts[i] for i in np.sort(rng.choice(len(texts), self.max_fit_texts, replace=False))]
        tokens = tokenize(texts)
        counts = Counter(w for toks in tokens for w in toks)
        epochs = self.epochs_for(sum(counts.values()))
        model = Word2Vec(
            vector_size=self.dim,
            window=self.window,
            negative=self.negative,
            min_count=self.min_count,
            sg=1,
            epochs=epochs,
            workers=1,
            seed=self.random_state,
            hashfxn=stable_hash,
        )
        model.build_vocab(tokens)
        if not model.wv.index_to_key:
            log.warning("corpus too small for word vectors (%d texts): every text encodes to zero", len(texts))
            self._set_state([], np.zeros((0, self.dim), np.float32), np.zeros(0, np.float32))
        else:
            model.train(tokens, total_examples=len(tokens), epochs=epochs)
            vocab = list(model.wv.index_to_key)
            total = sum(counts.values())
            weights = np.array([self.sif_a / (self.sif_a + counts[w] / total) for w in vocab], np.float32)
            self._set_state(vocab, model.wv.vectors.astype(np.float32), weights)
        self.corpus_hash_ = corpus_hash(texts)
        log.info("fitted %s on %d texts, %d epochs, vocabulary %d", self.kind, len(texts), epochs,
                 len(self.vocabulary_))
        return self

    def epochs_for(self, n_tokens: int) -> int:
        """Passes over the corpus: fixed if given, else enough to see ``token_passes`` tokens (5 to ``max_epochs``).

        Five passes underfit a small workspace badly (shopping complaints, 166k tokens: theme NMI 0.35 at 5
        epochs, 0.57 at 20, dev split); a large one learns enough in five and should not pay for more.
        """
        if self.epochs is not None:
            return self.epochs
        return int(min(self.max_epochs, max(5, -(-self.token_passes // max(n_tokens, 1)))))

    def _set_state(self, vocab: list[str], vectors: np.ndarray, weights: np.ndarray) -> None:
        self.vocabulary_ = {w: i for i, w in enumerate(vocab)}
        self.vectors_ = vectors
        self.weights_ = weights
        self._weighted = vectors * weights[:, None]

    def encode(self, texts: Sequence[str], batch_size: int = 1024, show_progress: bool = False) -> np.ndarray:
        self._check_fitted()
        out = np.zeros((len(texts), self.dim), np.float32)
        seg, vocab = get_segmenter(), self.vocabulary_
        for i, text in enumerate(tqdm(texts, disable=not show_progress, desc="embed", unit="text")):
            rows = [vocab[w] for w in seg.words(text or "") if w in vocab]
            if rows:
                out[i] = self._weighted[rows].sum(axis=0)
        return l2_normalise(out)

    def save(self, path: str | Path) -> Path:
        """Vocabulary as JSON, vectors and SIF weights as .npy (no pickle, no gensim files)."""
        self._check_fitted()
        folder = self._write_folder(path, {"vectors": self.vectors_, "weights": self.weights_}, {})
        vocab = sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        (folder / "vocabulary.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
        return folder

    @classmethod
    def load(cls, path: str | Path) -> CorpusEmbedder:
        config, manifest = read_folder(path, cls)
        self = cls(**config)
        folder = Path(path)
        vocab = json.loads((folder / "vocabulary.json").read_text("utf-8"))
        self._set_state(vocab, load_array(folder, "vectors"), load_array(folder, "weights"))
        self.corpus_hash_ = manifest_identity(manifest)["corpus_hash"]
        return self
