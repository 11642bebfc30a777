"""Unsupervised adaptation to a new kind of feedback, and the checks that decide whether to trust it.

A model trained on one bank's app ratings meets call transcripts and social posts whose words it has never
seen weighted. Self-training helps there: take the confident predictions on the unlabelled texts whose
lexicon cues do not say otherwise as pseudo-labels, train again on both, and shift the scores to the class
mix EM estimates for the new texts. It also fails: on finance forum posts a model trained on shopping
reviews made pseudo-labels that were mostly wrong, and the adapted model fell 8 points below the plain one.
``AdaptationCheck`` therefore lets adaptation through only when the data supports it, and bounds what it
may change, so such a fall cannot happen whatever the data (see ``AdaptationCheck``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from voc.sentiment.calibrate import estimate_priors, margin
from voc.sentiment.labels import NEG, NEU, POS
from voc.sentiment.persist import copy_model

if TYPE_CHECKING:
    from voc.sentiment.model import SentimentModel


def pseudo_labels(
    proba: np.ndarray, share: float, lexicon: np.ndarray | None = None, classes: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Indices and class codes of the most confident ``share`` of each predicted class.

    ``proba`` is P(positive) per text (two classes) or an (n, 3) NEG/POS/NEU matrix with ``classes`` the
    model's label for each text. With ``lexicon`` (each text's signed cue sum) a prediction the lexicon
    contradicts is left out: a text called positive while its cues say negative is where a model trained
    elsewhere is most often wrong.
    """
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim == 1:
        predicted = (proba >= 0.5).astype(np.int64)
        confidence = np.abs(proba - 0.5)
    else:
        predicted = np.asarray(classes, dtype=np.int64)
        confidence = margin(proba)
    idx: list[np.ndarray] = []
    lab: list[np.ndarray] = []
    for cls in (NEG, POS, NEU):
        members = np.flatnonzero(predicted == cls)
        take = int(len(members) * share)
        if take == 0:
            continue
        chosen = members[np.argsort(-confidence[members], kind="stable")[:take]]
        idx.append(np.sort(chosen))
        lab.append(np.full(take, cls, dtype=np.int64))
    if not idx:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    chosen, labels = np.concatenate(idx), np.concatenate(lab)
    if lexicon is not None:
        cue = np.asarray(lexicon, dtype=np.float64)[chosen]
        agree = ~(((labels == POS) & (cue < 0)) | ((labels == NEG) & (cue > 0)))
        chosen, labels = chosen[agree], labels[agree]
    return chosen, labels


def estimate_prior(proba: np.ndarray, trained_prior: float = 0.5, iterations: int = 200) -> float:
    """The share of positives among unlabelled texts from a balanced two-class model's P(positive) (EM)."""
    p = np.asarray(proba, dtype=np.float64)
    if not len(p):
        return trained_prior
    return float(estimate_priors(np.column_stack([1 - p, p]), iterations)[1])


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
    classes: np.ndarray | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The labelled data plus the confident pseudo-labelled share of ``pool`` (scored ``proba``), and weights.

    With ``balance`` each pseudo-label weighs by its squared confidence (the margin between the two most
    likely classes, squared: a coin flip teaches nothing, and the middle band, where a model trained
    elsewhere errs most, little), and a small pool is scaled up to weigh as much in total as the labelled
    rows: 60,000 rated app reviews would otherwise drown 5,000 calls. Without it every row weighs one.
    """
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim == 2 and classes is None:
        proba = proba[:, POS] / np.maximum(proba[:, POS] + proba[:, NEG], 1e-12)
    idx, pseudo = pseudo_labels(proba, share, lexicon, classes)
    more_texts = [*texts, *(pool[i] for i in idx)]
    more_labels = np.concatenate([np.asarray(labels, dtype=np.int64), pseudo])
    if balance and len(idx):
        conf = 2.0 * np.abs(proba[idx] - 0.5) if proba.ndim == 1 else margin(proba[idx])
        confidence = conf**2
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
    out: np.ndarray | None = None
    for mine, other in ((halves[0], halves[1]), (halves[1], halves[0])):
        if len(mine):
            scored = fit_and_score(other, mine)
            if out is None:
                out = np.zeros((n, *np.shape(scored)[1:]), dtype=np.float64)
            out[mine] = scored
    return out if out is not None else np.zeros(n, dtype=np.float64)


def halves(n: int, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A seeded split of n rows into two halves (adapt on one, check on the other)."""
    order = np.random.default_rng(random_state).permutation(n)
    return np.sort(order[: n // 2]), np.sort(order[n // 2 :])


@dataclass(frozen=True)
class AdaptationCheck:
    """Whether to self-train and shift the prior, decided on the unlabelled texts themselves.

    - ``min_pool``: fewer unlabelled texts than this teach noise (their pseudo-labels weigh as much as all
      the ratings).
    - A stable prior: the EM estimate of the positive share must vary by at most ``max_prior_spread``
      (standard deviation) over bootstrap resamples of the pool, else the scores are not shifted.
    - Views agree on the changes: on texts the trial adaptation did not learn from, the labels it changes
      are checked against the training-free lexicon, an independent view of each text; fewer than
      ``min_lexicon_support`` of the changes (among texts with a cue) moving towards the lexicon's verdict
      means adaptation moved away from what the texts say, and it is refused.
    - Bounded by construction: adaptation that would change more than ``max_change`` of the labels is
      refused, so adapted can never be more than ``max_change`` below unadapted accuracy, whatever the data.

    ``enabled=False`` skips every check (the recipe as it was before the checks).
    """

    enabled: bool = True
    min_pool: int = 500
    max_prior_spread: float = 0.03
    min_lexicon_support: float = 0.25
    max_change: float = 0.1
    n_boot: int = 30
    random_state: int = 0

    def assess(self, proba: np.ndarray, n_pool: int) -> dict:
        """Before self-training: is the pool big enough, and its prior estimate stable? (``proba``: (n, 3).)"""
        two = proba[:, :2] if not proba[:, NEU].any() else proba
        prior = estimate_priors(two)
        report: dict = {"pool": n_pool, "prior": _as_three(prior).tolist(), "applied": False}
        if not self.enabled:
            return {**report, "self_train": True, "prior_shift": True, "reason": "checks off"}
        rng = np.random.default_rng(self.random_state)
        boots = [estimate_priors(two[rng.integers(0, len(two), len(two))])[POS] for _ in range(self.n_boot)]
        spread = float(np.std(boots)) if len(two) else 1.0
        report["prior_spread"] = round(spread, 4)
        report["prior_shift"] = spread <= self.max_prior_spread
        report["self_train"] = n_pool >= self.min_pool
        if not report["self_train"]:
            report["reason"] = f"only {n_pool} unlabelled texts (< {self.min_pool})"
        return report

    def confirm(self, before: np.ndarray, after: np.ndarray, cues: np.ndarray) -> dict:
        """After a trial: class codes of held-out texts unadapted and adapted, and their lexicon cue sums."""
        changed = before != after
        change = float(changed.mean()) if len(changed) else 0.0
        with_cue = changed & (cues != 0)
        lexicon_class = np.where(cues > 0, POS, NEG)
        support = float(np.mean(after[with_cue] == lexicon_class[with_cue])) if with_cue.any() else 1.0
        out = {"changed": round(change, 4), "lexicon_support": round(support, 4)}
        if not self.enabled:
            return {**out, "applied": True}
        if change > self.max_change:
            return {**out, "applied": False, "reason": f"would change {change:.1%} of labels (> {self.max_change:.0%})"}
        if support < self.min_lexicon_support:
            return {**out, "applied": False, "reason": f"only {support:.0%} of its changes agree with the lexicon"}
        return {**out, "applied": True, "reason": "checks passed"}


def _as_three(prior: np.ndarray) -> np.ndarray:
    return prior if len(prior) == 3 else np.array([prior[0], prior[1], 0.0])


def adapt_model(
    model: SentimentModel,
    texts: Sequence[str],
    labels: Sequence[int],
    pool: Sequence[str],
    sample_weight: np.ndarray | None = None,
    held_out: Sequence[str] | None = None,
) -> SentimentModel:
    """``model`` adapted to ``pool`` when the check allows it, else an unchanged copy (``adaptation_`` says why).

    The check needs texts the trial adaptation did not learn from: ``held_out``, else half of the pool, in
    which case the accepted model is then adapted to the whole pool.
    """
    if model.lexicon_only_:
        return _unadapted(model, {"applied": False, "reason": "lexicon-only model"})
    check = AdaptationCheck(model.check_adaptation, model.min_unlabelled, random_state=model.random_state)
    if not model.check_adaptation:
        out, report = _adapt_once(model, texts, labels, list(pool), sample_weight, check)
        out.adaptation_ = {**report, "applied": True}
        return out
    if held_out is None:
        trial_rows, check_rows = halves(len(pool), model.random_state)
        trial_pool, check_texts = [pool[i] for i in trial_rows], [pool[i] for i in check_rows]
    else:
        trial_pool, check_texts = list(pool), [t or "" for t in held_out]
    trial, report = _adapt_once(model, texts, labels, trial_pool, sample_weight, check)
    if not report["self_train"]:
        return _unadapted(model, report)
    cues = model.predict_with_lexicon(check_texts)[1]
    report.update(check.confirm(model.predict_classes(check_texts), trial.predict_classes(check_texts), cues))
    if not report["applied"]:
        return _unadapted(model, report)
    if held_out is None:
        trial = _adapt_once(model, texts, labels, list(pool), sample_weight, check)[0]
    trial.adaptation_ = report
    return trial


def _adapt_once(model: SentimentModel, texts, labels, pool: list[str], sample_weight, check: AdaptationCheck):
    proba, cues = model.predict_with_lexicon(pool, full=True)
    report = check.assess(proba, len(pool))
    out = copy_model(model)
    if report["self_train"]:
        out.self_train(texts, labels, pool, proba, cues, sample_weight)
        if report["prior_shift"]:
            out.expect_prior(report["prior"])
    return out, report


def _unadapted(model: SentimentModel, report: dict) -> SentimentModel:
    out = copy_model(model)
    out.adaptation_ = {**report, "applied": False}
    return out
