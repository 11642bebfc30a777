"""Complaint-theme discovery: cluster embeddings, name themes with c-TF-IDF keywords, keep ids over time.

``ThemeModel`` is the default method; ``LdaThemeModel`` is the gensim LDA alternative with the same
``fit`` / ``labels_`` / ``themes_`` interface.
"""

from __future__ import annotations

from voc.topics.cluster import choose_k, merge_close, spherical_kmeans
from voc.topics.coherence import npmi_coherence
from voc.topics.keywords import class_tfidf, make_label
from voc.topics.lda import LdaThemeModel
from voc.topics.model import ThemeModel
from voc.topics.themes import Lineage, Theme

__all__ = [
    "LdaThemeModel",
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
