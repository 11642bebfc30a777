"""Complaint-theme discovery: cluster embeddings, name themes with c-TF-IDF keywords, keep ids over time.

``ThemeModel`` is the one method the tracker uses (gensim LDA, measured against it, lives in
``bench/lda_baseline.py``).
"""

from __future__ import annotations

from voc.topics.cluster import choose_k, merge_close, spherical_kmeans
from voc.topics.coherence import npmi_coherence
from voc.topics.keywords import class_tfidf, make_label
from voc.topics.model import ThemeModel
from voc.topics.themes import Lineage, Theme

__all__ = [
    "Lineage",
    "Theme",
    "ThemeModel",
    "choose_k",
    "class_tfidf",
    "make_label",
    "merge_close",
    "npmi_coherence",
    "spherical_kmeans",
]
