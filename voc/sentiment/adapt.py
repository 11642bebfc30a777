"""Unsupervised adaptation to a new kind of feedback: self-training on confident pseudo-labels.

A model trained on one bank's app ratings meets call transcripts and social posts whose words it has never
seen weighted. The classic remedy needs no labels: score the unlabelled texts, take the confident
predictions whose lexicon cues do not say otherwise as pseudo-labels, and train again on both, so the words
that co-occur with known cues in the new texts get weights of their own. ``cross_fit`` evaluates this
honestly: each half of an evaluation file is scored by a model adapted on the *other* half's texts, never
on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def pseudo_labels(proba: np.ndarray, share: float, lexicon: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Indices and 0/1 labels of the most confident ``share`` of each predicted class.

    With ``lexicon`` (each text's signed cue sum) a prediction the lexicon contradicts is left out: a text
    called positive while its cues say negative is where a model trained elsewhere is most often wrong.
    """
    idx: list[np.ndarray] = []
    lab: list[np.ndarray] = []
    proba = np.asarray(proba, dtype=np.float64)
    for cls in (0, 1):
        members = np.flatnonzero((proba >= 0.5) == bool(cls))
        take = int(len(members) * share)
        if take == 0:
            continue
        confidence = np.abs(proba[members] - 0.5)
        chosen = members[np.argsort(-confidence, kind="stable")[:take]]
        idx.append(np.sort(chosen))
        lab.append(np.full(take, cls, dtype=np.int64))
    if not idx:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    chosen, labels = np.concatenate(idx), np.concatenate(lab)
    if lexicon is not None:
        cue = np.asarray(lexicon, dtype=np.float64)[chosen]
        agree = ~(((labels == 1) & (cue < 0)) | ((labels == 0) & (cue > 0)))
        chosen, labels = chosen[agree], labels[agree]
    return chosen, labels


def estimate_prior(proba: np.ndarray, trained_prior: float = 0.5, iterations: int = 200) -> float:
    """The share of positives among unlabelled texts, by EM on a calibrated model's probabilities.

    Saerens, Latinne & Decaestecker (2002): re-weight each posterior by new/old prior and re-average until
    it settles. Complaint channels are mostly negative while the model was trained class-balanced, so the
    raw posteriors overstate praise there; the estimate lets the scores follow the channel's real mix.
    """
    p = np.clip(np.asarray(proba, dtype=np.float64), 1e-6, 1 - 1e-6)
    if not len(p):
        return trained_prior
    prior = trained_prior
    for _ in range(iterations):
        pos = prior / trained_prior * p
        neg = (1 - prior) / (1 - trained_prior) * (1 - p)
        new = float(np.mean(pos / (pos + neg)))
        if abs(new - prior) < 1e-7:
            break
        prior = new
    return min(max(prior, 0.01), 0.99)


def sample_unlabelled(texts: Sequence[str], exclude: set[str], limit: int, random_state: int) -> list[str]:
    """Distinct non-empty texts not among the labelled ones, a seeded sample of at most ``limit``."""
    pool = list(dict.fromkeys(t for t in texts if t and t.strip() and t not in exclude))
    if len(pool) > limit:
        rng = np.random.default_rng(random_state)
        pool = [pool[i] for i in np.sort(rng.choice(len(pool), limit, replace=False))]
    return pool


def with_pseudo(
    texts: Sequence[str],
    labels: Sequence[int],
    pool: Sequence[str],
    proba: np.ndarray,
    share: float,
    lexicon: np.ndarray | None = None,
    balance: bool = True,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The labelled data plus the confident pseudo-labelled share of ``pool`` (scored ``proba``), and weights.

    With ``balance`` each pseudo-label weighs by its squared confidence ((2·|p - 0.5|)², so a coin flip
    teaches nothing and the middle band, where a model trained elsewhere errs most, little), and a small pool
    is scaled up to weigh as much in total as the labelled rows: 60,000 rated app reviews would otherwise
    drown 5,000 calls and the model would barely move towards them. Without it every row weighs one.
    """
    idx, pseudo = pseudo_labels(proba, share, lexicon)
    more_texts = [*texts, *(pool[i] for i in idx)]
    more_labels = np.concatenate([np.asarray(labels, dtype=np.int64), pseudo])
    if balance and len(idx):
        confidence = (2.0 * np.abs(np.asarray(proba, dtype=np.float64)[idx] - 0.5)) ** 2
        pseudo_weight = confidence * max(1.0, len(texts) / max(float(confidence.sum()), 1e-9))
    else:
        pseudo_weight = np.ones(len(idx))
    return more_texts, more_labels, np.concatenate([np.ones(len(texts)), pseudo_weight])


def cross_fit(
    n: int, fit_and_score: Callable[[np.ndarray, np.ndarray], np.ndarray], random_state: int = 0
) -> np.ndarray:
    """Scores for n rows, each half scored by ``fit_and_score(adapt_rows, score_rows)`` adapted on the other."""
    order = np.random.default_rng(random_state).permutation(n)
    halves = (np.sort(order[: n // 2]), np.sort(order[n // 2 :]))
    out = np.zeros(n, dtype=np.float64)
    for mine, other in ((halves[0], halves[1]), (halves[1], halves[0])):
        if len(mine):
            out[mine] = fit_and_score(other, mine)
    return out
