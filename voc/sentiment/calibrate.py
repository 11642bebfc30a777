"""From model decision values to class probabilities, a neutral band, and a shift to another class mix.

Two or three classes share one shape: the calibrator maps the base model's out-of-fold decision values and
the lexicon's cue sum to log-odds per class, a prior shift adds log(expected / reference share) per class,
and a softmax gives probabilities in the column order of ``voc.sentiment.labels`` (NEG, POS[, NEU]).
The score every caller sees is P(positive) - P(negative) in [-1, 1]; the label comes from two thresholds on
it, fitted for the neutral band when neutral examples exist.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from voc.sentiment.base import NEGATIVE_BELOW, POSITIVE_ABOVE
from voc.sentiment.labels import NEG, NEU, POS

_GRID = np.round(np.arange(0.0, 1.0, 0.02), 2)


def fit_calibration(decision: np.ndarray, lexicon: np.ndarray, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Platt (binary: [a, b..., c]) or multinomial (three classes: one row [w..., b..., c] per class) scaling.

    ``lexicon`` holds the lexicon evidence columns (n, m) the calibrator weighs beside the model.
    """
    X = _design(decision, lexicon)
    platt = LogisticRegression(C=100.0, class_weight="balanced", max_iter=1000)
    platt.fit(X, y, sample_weight=weight)
    if platt.coef_.shape[0] == 1:
        return np.array([*platt.coef_.ravel(), platt.intercept_[0]], dtype=np.float64)
    return np.column_stack([platt.coef_, platt.intercept_]).astype(np.float64)


def _design(decision: np.ndarray, lexicon: np.ndarray) -> np.ndarray:
    return np.column_stack([decision.reshape(len(lexicon), -1), lexicon])


def probabilities(
    calibration: np.ndarray, decision: np.ndarray, lexicon: np.ndarray, shift: np.ndarray | None = None
) -> np.ndarray:
    """(n, 3) probabilities, columns NEG, POS, NEU (NEU all zero for a binary model)."""
    n = len(lexicon)
    X = _design(decision, lexicon)
    if calibration.ndim == 1:
        z = X @ calibration[:-1] + calibration[-1]
        logits = np.column_stack([np.zeros(n), z])
    else:
        logits = X @ calibration[:, :-1].T + calibration[:, -1]
    if shift is not None:
        logits = logits + shift[: logits.shape[1]]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    p /= p.sum(axis=1, keepdims=True)
    return p if p.shape[1] == 3 else np.column_stack([p, np.zeros(n)])


def scores(proba: np.ndarray) -> np.ndarray:
    """P(positive) - P(negative): -1 for a sure complaint, 0 for neutral or a coin flip, 1 for sure praise."""
    return proba[:, POS] - proba[:, NEG]


def labels_at(score: np.ndarray, negative_below: float, positive_above: float) -> np.ndarray:
    """Class codes from scores and the two thresholds (the rule ``label_for`` applies to one score)."""
    out = np.full(len(score), NEU, dtype=np.int64)
    out[score <= negative_below] = NEG
    out[score >= positive_above] = POS
    return out


def fit_thresholds(score: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """The (negative_below, positive_above) pair that maximises macro-F1 of the three classes on ``score``.

    Chosen on out-of-fold scores of the training data; the grid is 0.02 wide and ties go to the narrower
    band, so a model that separates well keeps neutral for what it cannot call.
    """
    best, pair = -1.0, (NEGATIVE_BELOW, POSITIVE_ABOVE)
    neg_true, pos_true, neu_true = (y == NEG), (y == POS), (y == NEU)
    for lo in -_GRID:
        neg = score <= lo
        f_neg = _f1(neg, neg_true)
        for hi in _GRID:
            pos = score >= hi
            f = (f_neg + _f1(pos, pos_true) + _f1(~neg & ~pos, neu_true)) / 3.0
            if f > best + 1e-12:
                best, pair = f, (float(lo), float(hi))
    return pair


def _f1(pred: np.ndarray, true: np.ndarray) -> float:
    tp = float(np.count_nonzero(pred & true))
    denom = float(np.count_nonzero(pred) + np.count_nonzero(true))
    return 2.0 * tp / denom if denom else 0.0


def estimate_priors(proba: np.ndarray, iterations: int = 200) -> np.ndarray:
    """Class shares among unlabelled texts, by EM on class-balanced calibrated probabilities (Saerens 2002).

    Re-weight each posterior by new/old prior and re-average until it settles; the old prior is uniform
    because the model and its calibration are trained class-balanced.
    """
    p = np.clip(np.asarray(proba, dtype=np.float64), 1e-6, None)
    k = p.shape[1]
    if not len(p):
        return np.full(k, 1.0 / k)
    p /= p.sum(axis=1, keepdims=True)
    prior = np.full(k, 1.0 / k)
    for _ in range(iterations):
        post = p * prior * k
        post /= post.sum(axis=1, keepdims=True)
        new = post.mean(axis=0)
        if np.abs(new - prior).max() < 1e-7:
            prior = new
            break
        prior = new
    return np.clip(prior, 0.01, 0.99) / np.clip(prior, 0.01, 0.99).sum()


def prior_shift(expected: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Log-odds to add per class (NEG, POS, NEU) to move from the reference mix to the expected one."""
    e = np.clip(np.asarray(expected, dtype=np.float64), 1e-3, None)
    r = np.clip(np.asarray(reference, dtype=np.float64), 1e-3, None)
    return np.log(e) - np.log(r)


def margin(proba: np.ndarray) -> np.ndarray:
    """Top probability minus the runner-up: 2·|p - 0.5| for two classes, the pseudo-label confidence."""
    top2 = np.sort(proba, axis=1)[:, -2:]
    return top2[:, 1] - top2[:, 0]
