"""Accuracy of voc's scorer next to SnowNLP and a plain TF-IDF baseline, on the same labelled rows."""

from __future__ import annotations

import copy
import csv
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from voc.errors import IngestError
from voc.sentiment.adapt import cross_fit, estimate_prior
from voc.sentiment.features import identity
from voc.sentiment.model import SentimentModel
from voc.sentiment.snow import SnowNLPScorer
from voc.text.segment import get_segmenter

log = logging.getLogger(__name__)


def metrics(labels: Sequence[int], proba: Sequence[float]) -> dict[str, float]:
    """Accuracy and macro-F1 at P >= 0.5, and ROC-AUC of the probabilities."""
    y = np.asarray(labels)
    p = np.asarray(proba, dtype=np.float64)
    pred = (p >= 0.5).astype(int)
    auc = float(roc_auc_score(y, p)) if len(set(y.tolist())) == 2 else float("nan")
    return {
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, average="macro")),
        "roc_auc": auc,
    }


def baseline_proba(train_texts: Sequence[str], train_labels: Sequence[int], texts: Sequence[str]) -> np.ndarray:
    """The plain baseline: TF-IDF of jieba words + char 1-3-grams, logistic regression."""
    seg = get_segmenter()
    words = TfidfVectorizer(analyzer=identity)
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
    X = sparse.hstack([words.fit_transform([seg.cut(t) for t in train_texts]), chars.fit_transform(train_texts)])
    clf = LogisticRegression(max_iter=3000, class_weight="balanced").fit(X.tocsr(), np.asarray(train_labels))
    Xe = sparse.hstack([words.transform([seg.cut(t) for t in texts]), chars.transform(texts)])
    return clf.predict_proba(Xe.tocsr())[:, 1]


def _clean(texts: Sequence[str], labels: Sequence[int], groups: Sequence[str] | None = None):
    groups = groups if groups is not None else [""] * len(texts)
    rows = [((t or "").strip(), int(y), g) for t, y, g in zip(texts, labels, groups, strict=True)]
    rows = [r for r in rows if r[0]]
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


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
    With ``adapt`` voc adapts to the evaluation file's kind of text the way it adapts to a workspace's
    unrated records (self-training, ``voc.sentiment.adapt``), cross-fitted: each half of the rows is scored
    by a model that saw only the other half's texts, never a label and never the text it scores. The
    unadapted model is reported as ``voc_without_adaptation``.
    """
    texts, labels, _ = _clean(eval_texts, eval_labels)
    seen = set(texts)
    tr_texts, tr_labels, tr_groups = _clean(train_texts, train_labels, train_groups)
    keep = [i for i, t in enumerate(tr_texts) if t not in seen]
    tr_texts = [tr_texts[i] for i in keep]
    tr_labels = [tr_labels[i] for i in keep]
    groups = [tr_groups[i] for i in keep] if train_groups is not None else None
    log.info("evaluating on %d rows, training on %d rows", len(texts), len(tr_texts))
    params = (model or SentimentModel()).get_params()
    plain = SentimentModel(**params).fit(tr_texts, tr_labels, groups)
    plain_proba, plain_cues = plain.predict_with_lexicon(texts)
    result: dict = {"n": len(texts), "n_train": len(tr_texts)}
    result["voc"] = result["voc_without_adaptation"] = metrics(labels, plain_proba)
    if adapt and not plain.lexicon_only_ and params["pseudo_share"] > 0:

        def fit_and_score(adapt_rows: np.ndarray, score_rows: np.ndarray) -> np.ndarray:
            pool = [texts[i] for i in adapt_rows]
            proba, cues = plain_proba[adapt_rows], plain_cues[adapt_rows]
            adapted = copy.deepcopy(plain).self_train(tr_texts, tr_labels, pool, proba, cues)
            return adapted.expect_prior(estimate_prior(proba)).predict_proba([texts[i] for i in score_rows])

        result["voc"] = metrics(labels, cross_fit(len(texts), fit_and_score, params["random_state"]))
    result["baseline"] = metrics(labels, baseline_proba(tr_texts, tr_labels, texts))
    if snownlp:
        snow = SnowNLPScorer()
        result["snownlp"] = metrics(labels, [snow.probability(t) for t in texts])
    return result


def read_labelled(path: Path, text_col: str, label_col: str) -> tuple[list[str], list[int]]:
    """Texts and 0/1 labels from a CSV (label 1 positive, 0 negative); rows without a 0/1 label are skipped."""
    texts, labels, _ = _read(Path(path), text_col, label_col, None)
    return texts, labels


def _read(path: Path, text_col: str, label_col: str, group_col: str | None):
    if not path.exists():
        raise IngestError(f"{path} does not exist")
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = {text_col, label_col, *([group_col] if group_col else [])} - set(reader.fieldnames or [])
        if missing:
            raise IngestError(f"{path} has no column(s) {sorted(missing)}; it has {reader.fieldnames}")
        texts, labels, groups = [], [], []
        for row in reader:
            label = (row[label_col] or "").strip()
            if label in {"0", "1"}:
                texts.append(row[text_col] or "")
                labels.append(int(label))
                groups.append(f"{path.name}:{row[group_col]}" if group_col else path.name)
    return texts, labels, groups


def evaluate_files(
    file: Path,
    text_col: str,
    label_col: str,
    train_files: Sequence[Path],
    *,
    snownlp: bool = True,
    group_col: str | None = None,
    adapt: bool = True,
) -> dict:
    """``voc eval sentiment``: evaluate on ``file`` after training on ``train_files`` (same column names).

    ``group_col`` (e.g. a product or channel column of the training files) lets calibration leave groups out.
    """
    if not train_files:
        raise IngestError("evaluation needs at least one --train-file with labelled text")
    texts, labels = read_labelled(Path(file), text_col, label_col)
    train_texts: list[str] = []
    train_labels: list[int] = []
    train_groups: list[str] = []
    for path in train_files:
        t, y, g = _read(Path(path), text_col, label_col, group_col)
        train_texts.extend(t)
        train_labels.extend(y)
        train_groups.extend(g)
    grouped = group_col is not None or len(train_files) > 1
    return evaluate(
        texts,
        labels,
        train_texts,
        train_labels,
        snownlp=snownlp,
        train_groups=train_groups if grouped else None,
        adapt=adapt,
    )
