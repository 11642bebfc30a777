"""Why a score: the lexicon hits and the model's strongest word features that push the same way.

An analyst trusts a 负面 label when it names its reasons (登录不上, 闪退); the model's reasons are the
readable word features present in the text, ranked by tf-idf x (positive - negative) coefficient.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse

from voc.sentiment.features import readable
from voc.sentiment.labels import NEG, POS


class CueExplainer:
    """Readable word columns of a fitted model and their push towards positive; rebuilt after fit or load."""

    def __init__(self, vocabulary: Mapping[str, int], coef: np.ndarray, n_cues: int = 5) -> None:
        self.n_cues = n_cues
        self.words: dict[int, str] = {}
        for feat, col in vocabulary.items():
            word = readable(feat)
            if word is not None:
                self.words[col] = word
        push = coef[POS] - coef[NEG] if coef.ndim == 2 else coef
        weight = np.zeros(push.shape[0])
        cols = list(self.words)
        weight[cols] = push[cols]
        self._weight = sparse.diags(weight, format="csr")

    def pushes(self, X: sparse.csr_matrix | None, n: int) -> list[list[tuple[float, str]]]:
        """Per row, (tf-idf x coefficient, readable word) of the word features present."""
        if X is None or not self.words:
            return [[] for _ in range(n)]
        P = X @ self._weight
        P.eliminate_zeros()
        data, cols, ptr = P.data.tolist(), P.indices.tolist(), P.indptr.tolist()
        return [[(data[j], self.words[cols[j]]) for j in range(ptr[i], ptr[i + 1])] for i in range(n)]

    def cues(self, score: float, hits: Sequence, pushes: list[tuple[float, str]]) -> tuple[str, ...]:
        """Lexicon hits and word features that push the same way as the score, strongest first."""
        sign = 1.0 if score >= 0 else -1.0
        ranked = [(h.value * sign, h.phrase) for h in hits if h.value * sign > 0]
        ranked.extend((v * sign * 5.0, w) for v, w in pushes if v * sign > 0)
        ranked.sort(key=lambda x: -x[0])
        return tuple(dict.fromkeys(w for _, w in ranked))[: self.n_cues]
