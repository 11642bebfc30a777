"""Topic coherence (normalised PMI) of each theme's keywords over the tokenised corpus.

c_npmi lies in [-1, 1]: above 0 the keywords co-occur in records more often than chance, which is what a
reader experiences as "these words belong together". gensim's sliding-window count is the slow part, so a
large corpus is sampled.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
from gensim.corpora import Dictionary
from gensim.models.coherencemodel import CoherenceModel

log = logging.getLogger(__name__)


def npmi_coherence(
    topics: Sequence[Sequence[str]],
    texts: Sequence[Sequence[str]],
    *,
    topn: int = 10,
    sample_size: int = 20000,
    random_state: int = 0,
) -> list[float]:
    """c_npmi per topic; a topic with fewer than two known words scores 0.0 (no evidence either way)."""
    if len(texts) > sample_size:
        rng = np.random.default_rng(random_state)
        texts = [texts[i] for i in np.sort(rng.choice(len(texts), sample_size, replace=False))]
    texts = [list(t) for t in texts if t]
    if not texts:
        return [0.0] * len(topics)
    dictionary = Dictionary(texts)
    known = [[w for w in topic[:topn] if w in dictionary.token2id] for topic in topics]
    scorable = [i for i, t in enumerate(known) if len(t) >= 2]
    out = [0.0] * len(topics)
    if not scorable:
        return out
    model = CoherenceModel(
        topics=[known[i] for i in scorable],
        texts=texts,
        dictionary=dictionary,
        coherence="c_npmi",
        topn=topn,
        processes=1,
    )
    for i, score in zip(scorable, model.get_coherence_per_topic(), strict=True):
        out[i] = float(score) if math.isfinite(score) else 0.0
    return out
