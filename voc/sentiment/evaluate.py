"""Accuracy of voc's scorer next to SnowNLP and a plain TF-IDF baseline, on the same labelled rows.

Two-class files (0/1) are scored as before: P(positive) >= 0.5. Files with a neutral class are scored in
three classes: voc by its label thresholds, SnowNLP by the default ±0.2 band on 2p - 1, the baseline by its
own three-class prediction. ``negative_f1`` and ``roc_auc`` are negative-vs-rest in three classes (roc_auc
is positive-vs-negative for two, as it always was), so complaint finding is compared on every file.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from voc.errors import IngestError
from voc.sentiment.adapt import cross_fit
from voc.sentiment.base import label_for
from voc.sentiment.calibrate import scores
from voc.sentiment.features import identity
from voc.sentiment.labels import ENGLISH, NEG, NEU, POS, read_labelled, read_rows
from voc.sentiment.lexicon import LexiconScorer
from voc.sentiment.model import SentimentModel
from voc.sentiment.pretrained import check_choice
from voc.sentiment.snow import SnowNLPScorer
from voc.text.normalise import normalise
from voc.text.segment import get_segmenter

log = logging.getLogger(__name__)
_CODE = {"负面": NEG, "中性": NEU, "正面": POS}
SCORERS = ("voc", "voc_without_adaptation", "snownlp", "baseline")


def metrics(labels: Sequence[int], proba: Sequence[float]) -> dict[str, float]:
    """Two classes: accuracy, macro-F1 and negative-F1 at P >= 0.5, and ROC-AUC of P(positive)."""
    y = np.asarray(labels)
    p = np.asarray(proba, dtype=np.float64)
    pred = (p >= 0.5).astype(int)
    auc = float(roc_auc_score(y, p)) if len(set(y.tolist())) == 2 else float("nan")
    return {
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, average="macro")),
        "negative_f1": float(f1_score(y == NEG, pred == NEG, zero_division=0)),
        "roc_auc": auc,
    }


def metrics3(labels: Sequence[int], predicted: Sequence[int], score: Sequence[float]) -> dict[str, float]:
    """Three classes: accuracy and macro-F1 of the labels; negative-F1 and ROC-AUC of negative vs rest."""
    y, pred = np.asarray(labels), np.asarray(predicted)
    neg = y == NEG
    auc = float(roc_auc_score(neg, -np.asarray(score, dtype=np.float64))) if 0 < neg.sum() < len(y) else float("nan")
    return {
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, labels=[NEG, NEU, POS], average="macro", zero_division=0)),
        "negative_f1": float(f1_score(neg, pred == NEG, zero_division=0)),
        "roc_auc": auc,
    }


def baseline_proba(train_texts: Sequence[str], train_labels: Sequence[int], texts: Sequence[str]) -> np.ndarray:
    """The plain baseline: TF-IDF of jieba words + char 1-3-grams, logistic regression; (n, 3) NEG/POS/NEU."""
    seg = get_segmenter()
    words = TfidfVectorizer(analyzer=identity)
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    X = sparse.hstack([words.fit_transform([seg.cut(t) for t in train_texts]), chars.fit_transform(train_texts)])
    clf = LogisticRegression(max_iter=3000, class_weight="balanced").fit(X.tocsr(), np.asarray(train_labels))
    Xe = sparse.hstack([words.transform([seg.cut(t) for t in texts]), chars.transform(texts)])
    out = np.zeros((len(texts), 3))
    out[:, clf.classes_] = clf.predict_proba(Xe.tocsr())
    return out


def _clean(texts: Sequence[str], labels: Sequence[int], groups: Sequence[str] | None = None):
    """Normalised (as ingest stores them: traditional -> simplified, full -> half width), non-empty rows."""
    groups = groups if groups is not None else [""] * len(texts)
    rows = [(normalise(t or "").strip(), int(y), g) for t, y, g in zip(texts, labels, groups, strict=True)]
    rows = [r for r in rows if r[0]]
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def predict(
    texts: Sequence[str],
    train_texts: Sequence[str],
    train_labels: Sequence[int],
    *,
    snownlp: bool = True,
    model: SentimentModel | None = None,
    train_groups: Sequence[str] | None = None,
    adapt: bool = True,
) -> dict:
    """Per scorer, ``(proba (n, 3), labels)`` on ``texts``: what ``evaluate`` and the k-fold runs measure.

    voc adapts to the texts it scores the way it adapts to a workspace's unrated records, cross-fitted: each
    half is scored by a model adapted on the other half's texts, with the adaptation check run on the half
    being scored (its texts only, never a label). With no training rows voc is the lexicon alone.
    """
    out: dict = {"adaptation": []}
    if not train_texts:
        lexicon = LexiconScorer()
        results = lexicon.score_many(texts)
        s = np.array([r.score for r in results])
        proba = np.column_stack([(1 - s) / 2, (1 + s) / 2, np.zeros(len(s))])
        out["voc"] = out["voc_without_adaptation"] = (proba, [_CODE[r.label] for r in results])
    else:
        params = (model or SentimentModel()).get_params()
        plain = SentimentModel(**params).fit(train_texts, train_labels, train_groups)
        unadapted = plain.predict_with_lexicon(texts, full=True)[0]
        out["voc"] = out["voc_without_adaptation"] = _with_labels(plain, unadapted)
        if adapt and not plain.lexicon_only_ and params["pseudo_share"] > 0:

            def fit_and_score(adapt_rows: np.ndarray, score_rows: np.ndarray) -> np.ndarray:
                scored = [texts[i] for i in score_rows]
                adapted = plain.adapted(train_texts, train_labels, [texts[i] for i in adapt_rows], held_out=scored)
                out["adaptation"].append(adapted.adaptation_)
                return adapted.predict_with_lexicon(scored, full=True)[0]

            out["voc"] = _with_labels(plain, cross_fit(len(texts), fit_and_score, params["random_state"]))
        base = baseline_proba(train_texts, train_labels, texts)
        out["baseline"] = (base, _argmax_labels(base, three=NEU in set(train_labels)))
    if snownlp:
        snow = SnowNLPScorer()
        p = np.array([snow.probability(t) for t in texts])
        out["snownlp"] = (np.column_stack([1 - p, p, np.zeros(len(p))]), _band_labels(2 * p - 1))
    return out


def _with_labels(model: SentimentModel, proba: np.ndarray) -> tuple[np.ndarray, list[int]]:
    return proba, [_CODE[model.label(float(s))] for s in scores(proba)]


def _band_labels(score: np.ndarray) -> list[int]:
    return [_CODE[label_for(float(s))] for s in score]


def _argmax_labels(proba: np.ndarray, three: bool) -> list[int]:
    return np.argmax(proba, axis=1).tolist() if three else _band_labels(scores(proba))


def measure(labels: Sequence[int], predicted: dict) -> dict:
    """Metrics of every scorer in ``predicted`` (``predict`` output) against ``labels``."""
    three = NEU in set(labels)
    result: dict = {"n": len(labels), "classes": [ENGLISH[c] for c in sorted(set(labels), key=[NEG, NEU, POS].index)]}
    for name in SCORERS:
        if name in predicted:
            proba, pred = predicted[name]
            if three:
                result[name] = metrics3(labels, pred, scores(proba))
            else:
                result[name] = metrics(labels, proba[:, POS] / np.maximum(proba[:, POS] + proba[:, NEG], 1e-12))
    result["adaptation"] = predicted.get("adaptation", [])
    return result


def evaluate(
    eval_texts: Sequence[str],
    eval_labels: Sequence[int],
    train_texts: Sequence[str],
    train_labels: Sequence[int],
    *,
    snownlp: bool = True,
    model: SentimentModel | None = None,
    train_groups: Sequence[str] | None = None,
    adapt: bool = True,
) -> dict:
    """voc vs SnowNLP vs baseline on the same eval rows; train rows whose text is in the eval set are dropped.

    ``train_groups`` (one per training row, e.g. product category) are passed to ``SentimentModel.fit``.
    The unadapted model is reported as ``voc_without_adaptation``; ``adaptation`` lists each half's check.
    """
    texts, labels, _ = _clean(eval_texts, eval_labels)
    seen = set(texts)
    tr_texts, tr_labels, tr_groups = _clean(train_texts, train_labels, train_groups)
    keep = [i for i, t in enumerate(tr_texts) if t not in seen]
    tr_texts = [tr_texts[i] for i in keep]
    tr_labels = [tr_labels[i] for i in keep]
    groups = [tr_groups[i] for i in keep] if train_groups is not None else None
    log.info("evaluating on %d rows, training on %d rows", len(texts), len(tr_texts))
    predicted = predict(
        texts, tr_texts, tr_labels, snownlp=snownlp, model=model, train_groups=groups, adapt=adapt
    )
    return {**measure(labels, predicted), "n_train": len(tr_texts)}


def evaluate_folds(
    texts: Sequence[str],
    labels: Sequence[int],
    folds: int,
    extra_texts: Sequence[str] = (),
    extra_labels: Sequence[int] = (),
    *,
    snownlp: bool = True,
    model: SentimentModel | None = None,
    adapt: bool = True,
    random_state: int = 0,
) -> dict:
    """k-fold on one labelled file: each fold scored by models trained on the other folds (plus ``extra``).

    Predictions of all folds are pooled and measured once; training never sees the fold it scores, and
    voc's adaptation sees only the fold's texts (cross-fitted inside it).
    """
    texts, labels, _ = _clean(texts, labels)
    extra_texts, extra_labels, _ = _clean(extra_texts, extra_labels)
    y = np.asarray(labels)
    pooled: dict = {"adaptation": []}
    splitter = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    for k, (tr, te) in enumerate(splitter.split(np.zeros(len(y)), y)):
        fold = [texts[i] for i in te]
        seen = set(fold)
        train = [(texts[i], labels[i]) for i in tr] + list(zip(extra_texts, extra_labels, strict=True))
        train = [(t, lab) for t, lab in train if t not in seen]
        log.info("fold %d: scoring %d rows, training on %d", k + 1, len(fold), len(train))
        got = predict(fold, [t for t, _ in train], [lab for _, lab in train], snownlp=snownlp, model=model, adapt=adapt)
        pooled["adaptation"].extend(got.pop("adaptation"))
        for name, (proba, pred) in got.items():
            full, lab = pooled.setdefault(name, (np.zeros((len(y), 3)), np.zeros(len(y), dtype=np.int64)))
            full[te], lab[te] = proba, pred
    return {**measure(labels, pooled), "folds": folds, "n_train": len(texts) * (folds - 1) // folds + len(extra_texts)}


def evaluate_files(
    file: Path,
    text_col: str,
    label_col: str,
    train_files: Sequence[Path],
    *,
    snownlp: bool = True,
    group_col: str | None = None,
    adapt: bool = True,
    folds: int | None = None,
    pretrained: str | None = None,
) -> dict:
    """``voc eval sentiment``: evaluate on ``file`` after training on ``train_files`` (same column names).

    ``folds`` cross-validates on ``file`` itself (``train_files`` then join every fold's training data);
    with neither, voc is the lexicon alone (no training at all). ``pretrained`` picks voc's vector block
    (``voc.sentiment.pretrained``; default the model's). ``group_col`` (e.g. a product or channel
    column of the training files) lets calibration leave groups out.
    """
    if pretrained is not None:
        check_choice(pretrained)
    texts, labels = read_labelled(Path(file), text_col, label_col)
    train_texts: list[str] = []
    train_labels: list[int] = []
    train_groups: list[str] = []
    for path in train_files:
        t, y, g = read_rows(Path(path), text_col, label_col, group_col)
        train_texts.extend(t)
        train_labels.extend(y)
        train_groups.extend(g)
    model = SentimentModel() if pretrained is None else SentimentModel(pretrained=pretrained)
    if folds:
        if folds < 2:
            raise IngestError(f"--folds must be at least 2, not {folds}")
        return evaluate_folds(
            texts, labels, folds, train_texts, train_labels, snownlp=snownlp, adapt=adapt, model=model
        )
    grouped = group_col is not None or len(train_files) > 1
    return evaluate(
        texts,
        labels,
        train_texts,
        train_labels,
        snownlp=snownlp,
        model=model,
        train_groups=train_groups if grouped else None,
        adapt=adapt,
    )
