"""Names, quality and evidence of every theme, recomputed from the kept word counts after each step.

Labels follow members: a theme's keywords are ranked from the counts of all records it has held so far,
not frozen at the batch it was born in. Ids never change, labels stay unique, and no theme is left
without a label (a theme with no distinctive word is named by its most used topic words).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from voc.topics.keywords import distinct_labels, frequent_words, keywords_from_counts, label_words
from voc.topics.quality import Presence, label_quality
from voc.topics.state import ThemeParams, ThemeState
from voc.topics.themes import GENERIC, GENERIC_LABEL, Theme


def representatives(
    members: np.ndarray, sims: np.ndarray, topics: Sequence[Sequence[str]], words: Sequence[str], k: int
) -> list[int]:
    """The most central members that use a label word, no two with the same topic words (then the rest)."""
    order = members[np.argsort(-sims[members], kind="stable")]
    word_set = set(words)
    picked: list[int] = []
    seen: set[tuple[str, ...]] = set()
    for with_label in (True, False):
        for r in order:
            if len(picked) == k:
                return picked
            key = tuple(sorted(topics[r]))
            if key in seen or bool(word_set & set(topics[r])) != with_label:
                continue
            seen.add(key)
            picked.append(int(r))
    return picked


def describe(
    model: ThemeParams,
    state: ThemeState,
    topics: Sequence[Sequence[str]],
    labels: np.ndarray,
    sims: np.ndarray,
    new_ids: Sequence[int] = (),
) -> list[Theme]:
    """Every theme of ``model`` re-described after a step; ``labels`` are this batch's strict assignments."""
    old = {t.id: t for t in state.themes}
    step = state.step
    ids = [int(i) for i in state.theme_ids]
    sizes = {i: float(state.sizes.get(i, 0)) for i in ids}
    keywords = keywords_from_counts(
        {i: state.word_counts.get(i, {}) for i in ids}, sizes, state.overall_counts, n_keywords=model.n_keywords
    )
    for i in ids:
        if not keywords.get(i):
            keywords[i] = frequent_words(state.word_counts.get(i, {}), model.label_words)
    names = distinct_labels(keywords, model.label_words, taken=[GENERIC_LABEL])
    presence = Presence.build(topics)
    words = {i: label_words(keywords[i], model.label_words) for i in ids}
    quality = label_quality(presence, labels, words)
    themes = []
    for i in ids:
        members = np.flatnonzero(labels == i)
        before = old.get(i)
        cov, spec = quality[i] if len(members) else ((before.coverage, before.specificity) if before else (0.0, 0.0))
        themes.append(
            Theme(
                id=i,
                label=names[i] if words[i] else f"未命名主题 {i}",
                keywords=keywords[i],
                size=int(sizes[i]),
                coherence=before.coherence if before else 0.0,
                representatives=representatives(members, sims, topics, words[i], model.n_representatives)
                if len(members) else (before.representatives if before else []),
                created_step=before.created_step if before and i not in new_ids else step,
                last_seen_step=step if len(members) else (before.last_seen_step if before else step),
                coverage=round(float(cov), 4),
                specificity=round(float(spec), 4),
            )
        )
    gen = old.get(state.generic_id)
    n_generic = int((labels == state.generic_id).sum())
    themes.append(
        Theme(
            id=state.generic_id, label=GENERIC_LABEL, keywords=[], size=int(state.sizes.get(state.generic_id, 0)),
            coherence=0.0, representatives=[], created_step=gen.created_step if gen else step,
            last_seen_step=step if n_generic else (gen.last_seen_step if gen else step), kind=GENERIC,
        )
    )
    return themes
