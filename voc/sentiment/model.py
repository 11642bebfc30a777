"""voc's trainable sentiment scorer: rating-calibrated logistic regression with a lexicon prior.

Records that carry a rating are weak labels (``weak_label``). With enough of them the model learns the bank's
own vocabulary; with too few it falls back to the lexicon alone, so scoring never needs a slow baseline.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold

from voc.artifacts import read_artifact, write_config, write_manifest
from voc.errors import NotFittedError
from voc.sentiment.adapt import estimate_prior, sample_unlabelled, with_pseudo
from voc.sentiment.base import SentimentResult, label_for
from voc.sentiment.features import char_grams, identity, lexicon_matrix, mark_negation, readable, tfidf
from voc.sentiment.lexicon import LexiconScorer, inquiry_cap, is_inquiry, squash
from voc.text.segment import get_segmenter

log = logging.getLogger(__name__)

__all__ = ["SentimentModel", "is_inquiry", "weak_label"]

KIND = "voc.sentiment.SentimentModel"
_THRESHOLDS = {"star5": (2, 4), "csat5": (2, 4), "nps10": (6, 9)}


def weak_label(rating: float, scale: str) -> int | None:
    """Rating -> 0 (negative) / 1 (positive) / None (middle ratings teach nothing reliable)."""
    if scale not in _THRESHOLDS:
        raise ValueError(f"unknown rating scale {scale!r}; use one of {sorted(_THRESHOLDS)}")
    low, high = _THRESHOLDS[scale]
    if rating <= low:
        return 0
    if rating >= high:
        return 1
    return None


def fingerprint(texts: Iterable[str]) -> str:
    """Identifies the training texts, so a saved model says what it was fitted on."""
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:16]


class SentimentModel:
    """Word + char TF-IDF and lexicon features -> logistic regression, Platt-calibrated with the lexicon score.

    The final probability is ``sigmoid(a * model_logit + b * lexicon_sum + c)`` where a, b, c are fitted on
    out-of-fold predictions of the training data, which both calibrates the model and decides how much to
    trust the lexicon.
    """

    def __init__(
        self,
        *,
        min_per_class: int = 200,
        C: float = 1.0,
        min_df: int = 2,
        char_ngrams: tuple[int, int] = (1, 3),
        negation_window: int = 3,
        calibration_folds: int = 3,
        negative_below: float = -0.2,
        positive_above: float = 0.2,
        n_cues: int = 5,
        pseudo_share: float = 1.0,
        max_unlabelled: int = 50_000,
        prior_correction: bool = True,
        balance_pseudo: bool = True,
        random_state: int = 0,
    ) -> None:
        self.min_per_class = min_per_class
        self.C = C
        self.min_df = min_df
        self.char_ngrams = char_ngrams
        self.negation_window = negation_window
        self.calibration_folds = calibration_folds
        self.negative_below = negative_below
        self.positive_above = positive_above
        self.n_cues = n_cues
        self.pseudo_share = pseudo_share
        self.max_unlabelled = max_unlabelled
        self.prior_correction = prior_correction
        self.balance_pseudo = balance_pseudo
        self.random_state = random_state

    # ---- fitting -------------------------------------------------------------------------------------
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[int],
        groups: Sequence[str] | None = None,
        unlabelled: Sequence[str] | None = None,
        target_prior: float | None = None,
        sample_weight: Sequence[float] | None = None,
    ) -> SentimentModel:
        """Learn from labelled texts (1 positive, 0 negative); too few per class -> lexicon only.

        ``groups`` (e.g. product, channel or source of each record) makes the calibration folds leave whole
        groups out, so the lexicon/model blend is learned on unfamiliar vocabulary, as new feedback will be.
        ``unlabelled`` texts (the workspace's unrated records: calls, social posts) adapt the model to them
        by self-training: the confident ``pseudo_share`` of each predicted class, less the texts whose lexicon
        cues contradict the prediction, joins the training data; with ``balance_pseudo`` each weighs by its
        squared confidence and a small pool as much in total as the labelled rows, so a new channel is not
        drowned by many ratings. Once adapted, the new feedback is no longer unfamiliar: that second fit calibrates on
        ordinary stratified folds. The model is trained class-balanced; with ``prior_correction`` its scores
        are shifted to the share of positives expected where it will score: ``target_prior``, else estimated
        from the unlabelled texts (``estimate_prior``). ``sample_weight`` weighs the labelled rows.
        """
        texts = [t or "" for t in texts]
        y = np.asarray(labels, dtype=np.int64)
        weight = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if weight.shape != y.shape:
            raise ValueError(f"{len(weight)} sample weights for {len(y)} texts")
        self.lexicon_ = LexiconScorer(self.negative_below, self.positive_above, self.negation_window)
        pool = sample_unlabelled(unlabelled or (), set(texts), self.max_unlabelled, self.random_state)
        self.fingerprint_ = fingerprint([*texts, "\x1e", *pool] if pool else texts)
        self.n_train_ = len(texts)
        self.n_pseudo_ = 0
        self.prior_ = 0.5
        counts = np.bincount(y, minlength=2) if len(y) else np.zeros(2, dtype=np.int64)
        self.lexicon_only_ = bool(counts.min() < self.min_per_class)
        if self.lexicon_only_:
            log.info("only %s negative / %s positive labels (< %s): lexicon-only scoring", *counts, self.min_per_class)
            self._set_empty()
            return self
        self._fit_labelled(texts, y, groups, weight)
        if pool and self.pseudo_share > 0:
            proba, cues = self.predict_with_lexicon(pool)
            if target_prior is None:
                target_prior = estimate_prior(proba)
            self.self_train(texts, y, pool, proba, cues, weight)
        if target_prior is not None:
            self.expect_prior(target_prior)
        return self

    def self_train(
        self,
        texts: Sequence[str],
        labels: Sequence[int],
        pool: Sequence[str],
        proba: np.ndarray,
        cues: np.ndarray,
        sample_weight: np.ndarray | None = None,
    ) -> SentimentModel:
        """Retrain on the labelled data plus pseudo-labels for ``pool`` (its ``predict_with_lexicon`` output).

        ``fit`` calls this after its first fit; ``evaluate`` calls it on copies of one fitted model, one per
        cross-fitted half, so the recipe is written once. The refit calibrates on stratified folds. A
        lexicon-only model has no model to retrain and is returned as it is.
        """
        self._check()
        if self.lexicon_only_:
            return self
        more_texts, more_y, more_weight = with_pseudo(
            texts, labels, pool, proba, self.pseudo_share, cues, self.balance_pseudo
        )
        if sample_weight is not None:
            more_weight[: len(texts)] = sample_weight
        self.n_pseudo_ = len(more_texts) - len(texts)
        log.info("self-training on %d pseudo-labelled texts of %d unlabelled", self.n_pseudo_, len(pool))
        self._fit_labelled(more_texts, more_y, None, more_weight)
        return self

    def expect_prior(self, prior: float) -> SentimentModel:
        """Shift scores to an expected share of positives (a no-op without ``prior_correction``)."""
        if self.prior_correction:
            self.prior_ = min(max(float(prior), 0.01), 0.99)
            log.info("scores shifted to an expected %.1f%% positive", 100 * self.prior_)
        return self

    def _fit_labelled(self, texts: list[str], y: np.ndarray, groups: Sequence[str] | None, weight: np.ndarray) -> None:
        tokens, hits = self._analyse(texts)
        words = [self._words(t) for t in tokens]
        self.word_vec_ = TfidfVectorizer(analyzer=identity, sublinear_tf=True, min_df=self.min_df)
        self.char_vec_ = TfidfVectorizer(
            analyzer="char", ngram_range=tuple(self.char_ngrams), sublinear_tf=True, min_df=self.min_df
        )
        self.word_vec_.fit(words)
        self.char_vec_.fit(texts)
        lex = lexicon_matrix(hits)
        self.lex_scale_ = np.maximum(np.abs(lex).max(axis=0), 1.0)
        X = self._matrix(words, texts, lex)
        oof = np.zeros(len(y))
        for tr, te in self._folds(X, y, groups):
            oof[te] = self._classifier().fit(X[tr], y[tr], sample_weight=weight[tr]).decision_function(X[te])
        clf = self._classifier().fit(X, y, sample_weight=weight)
        self.coef_ = clf.coef_.ravel().astype(np.float64)
        self.intercept_ = float(clf.intercept_[0])
        platt = LogisticRegression(C=100.0, class_weight="balanced", max_iter=1000)
        platt.fit(np.column_stack([oof, lex[:, 0]]), y, sample_weight=weight)
        self.calibration_ = np.array([*platt.coef_.ravel(), platt.intercept_[0]], dtype=np.float64)
        log.info("calibration: %.3f * model + %.3f * lexicon + %.3f", *self.calibration_)
        self._index_words()

    def _folds(self, X, y: np.ndarray, groups: Sequence[str] | None):
        if groups is not None and len(set(groups)) >= self.calibration_folds:
            return GroupKFold(self.calibration_folds).split(X, y, np.asarray(groups))
        folds = StratifiedKFold(self.calibration_folds, shuffle=True, random_state=self.random_state)
        return folds.split(X, y)

    def _classifier(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000, random_state=self.random_state)

    def _set_empty(self) -> None:
        self.word_vec_ = self.char_vec_ = None
        self.coef_ = np.zeros(0)
        self.intercept_ = 0.0
        self.lex_scale_ = np.ones(6)
        self.calibration_ = np.zeros(3)
        self.feature_words_: dict[int, str] = {}

    def _index_words(self) -> None:
        self.feature_words_ = {}
        for feat, col in self.word_vec_.vocabulary_.items():
            word = readable(feat)
            if word is not None:
                self.feature_words_[col] = word
        weight = np.zeros(len(self.coef_))
        cols = list(self.feature_words_)
        weight[cols] = self.coef_[cols]
        self._word_weight = sparse.diags(weight, format="csr")

    # ---- features ------------------------------------------------------------------------------------
    def _analyse(
        self, texts: Sequence[str], tokens: Sequence[Sequence[str]] | None = None
    ) -> tuple[Sequence[Sequence[str]], list[list]]:
        if tokens is None:
            seg = get_segmenter()
            tokens = [seg.cut(t) for t in texts]
        elif len(tokens) != len(texts):
            raise ValueError(f"{len(tokens)} token lists for {len(texts)} texts")
        return tokens, [self.lexicon_.hits(tok, t) for tok, t in zip(tokens, texts, strict=True)]

    def _words(self, tokens: Sequence[str]) -> list[str]:
        return mark_negation(tokens, self.lexicon_.lexicon.negations, self.negation_window)

    def _matrix(self, words: list[list[str]], texts: Sequence[str], lex: np.ndarray) -> sparse.csr_matrix:
        lo, hi = self.char_ngrams
        return sparse.hstack(
            [
                tfidf(self.word_vec_, words),
                tfidf(self.char_vec_, [char_grams(t, lo, hi) for t in texts]),
                sparse.csr_matrix(lex / self.lex_scale_),
            ],
            format="csr",
        )

    # ---- scoring -------------------------------------------------------------------------------------
    def _check(self) -> None:
        if not hasattr(self, "lexicon_only_"):
            raise NotFittedError("SentimentModel is not fitted: call fit(texts, labels) or SentimentModel.load(dir)")

    def predict_proba(self, texts: Sequence[str], tokens: Sequence[Sequence[str]] | None = None) -> np.ndarray:
        """P(positive) per text, calibrated on the training data (``tokens``: as in ``score_many``)."""
        return self.predict_with_lexicon(texts, tokens)[0]

    def predict_with_lexicon(
        self, texts: Sequence[str], tokens: Sequence[Sequence[str]] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """P(positive) and the lexicon's signed cue sum per text (what self-training checks agreement with)."""
        self._check()
        texts = [t or "" for t in texts]
        tokens, hits = self._analyse(texts, tokens)
        return self._proba(texts, tokens, hits)[0], lexicon_matrix(hits)[:, 0]

    def _proba(self, texts, tokens, hits) -> tuple[np.ndarray, sparse.csr_matrix | None]:
        lex = lexicon_matrix(hits)
        if self.lexicon_only_:
            return (np.array([squash(v) for v in lex[:, 0]]) + 1) / 2, None
        X = self._matrix([self._words(t) for t in tokens], texts, lex)
        logit = X @ self.coef_ + self.intercept_
        a, b, c = self.calibration_
        c += math.log(self.prior_ / (1.0 - self.prior_))
        return 1.0 / (1.0 + np.exp(-(a * logit + b * lex[:, 0] + c))), X

    def score_many(self, texts: Iterable[str], tokens: Sequence[Sequence[str]] | None = None) -> list[SentimentResult]:
        """Score a batch; each text is segmented once and shared by the lexicon and the model.

        Segmentation is most of the cost: pass ``tokens`` (``Segmenter.cut`` output, e.g. the stored
        ``feedback.tokens`` split on spaces) when the pipeline already has them.
        """
        self._check()
        texts = [t or "" for t in texts]
        tokens, hits = self._analyse(texts, tokens)
        proba, X = self._proba(texts, tokens, hits)
        pushes = self._pushes(X, len(texts))
        lo, hi = self.negative_below, self.positive_above
        out = []
        for i, p in enumerate(proba.tolist()):
            score = min(max(2.0 * p - 1.0, -1.0), 1.0) if texts[i].strip() else 0.0
            score = inquiry_cap(score, texts[i], hits[i], (lo, hi))
            out.append(SentimentResult(score, label_for(score, lo, hi), self._cues(score, hits[i], pushes[i])))
        return out

    def score(self, text: str) -> SentimentResult:
        return self.score_many([text])[0]

    def _pushes(self, X: sparse.csr_matrix | None, n: int) -> list[list[tuple[float, str]]]:
        """Per row, (tf-idf x coefficient, readable word) of the word features present: what cues rank."""
        if X is None or not self.feature_words_:
            return [[] for _ in range(n)]
        P = X @ self._word_weight
        P.eliminate_zeros()
        data, cols, ptr = P.data.tolist(), P.indices.tolist(), P.indptr.tolist()
        words = self.feature_words_
        return [[(data[j], words[cols[j]]) for j in range(ptr[i], ptr[i + 1])] for i in range(n)]

    def _cues(self, score: float, hits, pushes: list[tuple[float, str]]) -> tuple[str, ...]:
        """Lexicon hits and the model's strongest present word features that push the same way as the score."""
        sign = 1.0 if score >= 0 else -1.0
        ranked = [(h.value * sign, h.phrase) for h in hits if h.value * sign > 0]
        ranked.extend((v * sign * 5.0, w) for v, w in pushes if v * sign > 0)
        ranked.sort(key=lambda x: -x[0])
        return tuple(dict.fromkeys(w for _, w in ranked))[: self.n_cues]

    # ---- persistence ---------------------------------------------------------------------------------
    def get_params(self) -> dict:
        return {
            k: getattr(self, k)
            for k in (
                "min_per_class",
                "C",
                "min_df",
                "char_ngrams",
                "negation_window",
                "calibration_folds",
                "negative_below",
                "positive_above",
                "n_cues",
                "pseudo_share",
                "max_unlabelled",
                "prior_correction",
                "balance_pseudo",
                "random_state",
            )
        }

    def save(self, folder: Path | str) -> Path:
        """Write config.json, manifest.json and arrays (.npy / JSON vocabularies); no pickle."""
        self._check()
        folder = write_config(folder, self.get_params())
        state = {
            "lexicon_only": self.lexicon_only_,
            "intercept": self.intercept_,
            "n_train": self.n_train_,
            "n_pseudo": self.n_pseudo_,
            "prior": self.prior_,
        }
        if not self.lexicon_only_:
            for name, vec in (("word", self.word_vec_), ("char", self.char_vec_)):
                vocab = {k: int(v) for k, v in vec.vocabulary_.items()}
                (folder / f"{name}_vocabulary.json").write_text(json.dumps(vocab, ensure_ascii=False))
                np.save(folder / f"{name}_idf.npy", vec.idf_)
        (folder / "state.json").write_text(json.dumps(state))
        for name in ("coef", "lex_scale", "calibration"):
            np.save(folder / f"{name}.npy", getattr(self, f"{name}_"))
        write_manifest(folder, KIND, self.fingerprint_, ("scikit-learn", "numpy", "jieba"))
        return folder

    @classmethod
    def load(cls, folder: Path | str) -> SentimentModel:
        """Rebuild a saved model: vectorisers from their vocabularies and idf, coefficients from .npy."""
        folder = Path(folder)
        config, manifest = read_artifact(folder, KIND, "sentiment model")
        config["char_ngrams"] = tuple(config["char_ngrams"])
        model = cls(**config)
        state = json.loads((folder / "state.json").read_text())
        model.lexicon_ = LexiconScorer(model.negative_below, model.positive_above, model.negation_window)
        model.fingerprint_ = manifest["fingerprint"]
        model.n_train_ = state["n_train"]
        model.n_pseudo_ = state.get("n_pseudo", 0)
        model.prior_ = state.get("prior", 0.5)
        model.lexicon_only_ = state["lexicon_only"]
        model._set_empty()
        for name in ("coef", "lex_scale", "calibration"):
            setattr(model, f"{name}_", np.load(folder / f"{name}.npy"))
        model.intercept_ = float(state["intercept"])
        if not model.lexicon_only_:
            model.word_vec_ = _rebuild(TfidfVectorizer(analyzer=identity, sublinear_tf=True), folder, "word")
            model.char_vec_ = _rebuild(
                TfidfVectorizer(analyzer="char", ngram_range=model.char_ngrams, sublinear_tf=True), folder, "char"
            )
            model._index_words()
        return model


def _rebuild(vec: TfidfVectorizer, folder: Path, name: str) -> TfidfVectorizer:
    vec.vocabulary_ = json.loads((folder / f"{name}_vocabulary.json").read_text())
    vec.idf_ = np.load(folder / f"{name}_idf.npy")
    return vec
