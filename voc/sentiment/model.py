"""voc's trainable sentiment scorer: rating-calibrated logistic regression with a lexicon prior.

Records that carry a rating are weak labels (``weak_label``): 1-2 stars negative, 3 neutral, 4-5 positive;
labelled files add their own. With enough of them the model learns the bank's vocabulary, in two classes or,
when neutral examples are plenty, three; with too few it falls back to the lexicon alone.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold

from voc.artifacts import constructor_params
from voc.errors import NotFittedError
from voc.sentiment import persist
from voc.sentiment.adapt import adapt_model, sample_unlabelled, with_pseudo
from voc.sentiment.base import NEGATIVE_BELOW, POSITIVE_ABOVE, SentimentResult, label_for
from voc.sentiment.calibrate import fit_calibration, fit_thresholds, labels_at, prior_shift, probabilities, scores
from voc.sentiment.explain import CueExplainer
from voc.sentiment.features import char_grams, identity, lexicon_matrix, mark_negation, tfidf
from voc.sentiment.labels import NEG, NEU, POS, weak_label
from voc.sentiment.lexicon import LexiconScorer, inquiry_cap, is_inquiry, squash
from voc.sentiment.pretrained import NONE, VECTOR_C, TextVectors, WordVectors, check_choice, make_vectors
from voc.text.segment import get_segmenter

log = logging.getLogger(__name__)

__all__ = ["SentimentModel", "fingerprint", "is_inquiry", "weak_label"]

BALANCED = np.array([0.5, 0.5, 0.0])


def fingerprint(texts: Iterable[str]) -> str:
    """Identifies the training texts, so a saved model says what it was fitted on."""
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:16]


class SentimentModel:
    """Word + char TF-IDF and lexicon features -> logistic regression, calibrated together with the lexicon.

    Class log-odds are ``W @ [model decision values, lexicon sum] + c``, fitted on out-of-fold decisions of
    the training data, which both calibrates the model and decides how much to trust the lexicon. With
    ``pretrained="e5-words"`` a second classifier reads pooled e5 word vectors (``voc.sentiment.pretrained``)
    and its decision values join the calibrator's input, which learns how much to trust each. The score
    is P(positive) - P(negative); with neutral training examples the band between the two label thresholds
    is fitted on those out-of-fold scores for macro-F1 instead of being fixed at ±0.2.
    """

    def __init__(
        self,
        *,
        min_per_class: int = 100,
        C: float = 1.0,
        min_df: int = 3,
        char_ngrams: tuple[int, int] = (1, 3),
        negation_window: int = 3,
        calibration_folds: int = 3,
        negative_below: float = NEGATIVE_BELOW,
        positive_above: float = POSITIVE_ABOVE,
        fit_band: bool = True,
        n_cues: int = 5,
        pseudo_share: float = 1.0,
        max_unlabelled: int = 50_000,
        max_train: int = 100_000,
        prior_correction: bool = True,
        balance_pseudo: bool = True,
        check_adaptation: bool = True,
        min_unlabelled: int = 500,
        pretrained: str = NONE,
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
        self.fit_band = fit_band
        self.n_cues = n_cues
        self.pseudo_share = pseudo_share
        self.max_unlabelled = max_unlabelled
        self.max_train = max_train
        self.prior_correction = prior_correction
        self.balance_pseudo = balance_pseudo
        self.check_adaptation = check_adaptation
        self.min_unlabelled = min_unlabelled
        self.pretrained = pretrained
        self.random_state = random_state

    # ---- fitting -------------------------------------------------------------------------------------
    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[int],
        groups: Sequence[str] | None = None,
        unlabelled: Sequence[str] | None = None,
        target_prior: float | Sequence[float] | None = None,
        sample_weight: Sequence[float] | None = None,
    ) -> SentimentModel:
        """Learn from labelled texts (codes of ``voc.sentiment.labels``); too few per class -> lexicon only.

        Negative and positive each need ``min_per_class`` examples; neutral becomes a third class when it
        has as many, else its rows are left out; past ``max_train`` rows a stratified sample trains.
        ``groups`` (product, channel or source of each record) make the calibration folds leave whole
        groups out, so the lexicon/model blend is learned on unfamiliar vocabulary, as new feedback will be.
        ``unlabelled`` texts (the unrated records) may adapt the model by self-training and a prior shift,
        but only when ``AdaptationCheck`` finds the data supports it (``adaptation_`` says what it found);
        ``target_prior`` sets the expected class mix directly. ``sample_weight`` weighs the labelled rows.
        """
        texts = [t or "" for t in texts]
        y = np.asarray(labels, dtype=np.int64)
        weight = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        if weight.shape != y.shape:
            raise ValueError(f"{len(weight)} sample weights for {len(y)} texts")
        check_choice(self.pretrained)
        self.lexicon_ = LexiconScorer(self.negative_below, self.positive_above, self.negation_window)
        pool = sample_unlabelled(unlabelled or (), set(texts), self.max_unlabelled, self.random_state)
        self.fingerprint_ = fingerprint([*texts, "\x1e", *pool] if pool else texts)
        counts = np.bincount(y, minlength=3) if len(y) else np.zeros(3, dtype=np.int64)
        if 0 < counts[NEU] < self.min_per_class:
            log.info("only %d neutral labels (< %d): two classes", counts[NEU], self.min_per_class)
            keep = y != NEU
            texts = [t for t, k in zip(texts, keep, strict=True) if k]
            y, weight = y[keep], weight[keep]
            groups = None if groups is None else [g for g, k in zip(groups, keep, strict=True) if k]
        if len(texts) > self.max_train:
            keep = stratified_sample(y, self.max_train, self.random_state)
            log.info("training on a stratified sample of %d of %d labelled texts", len(keep), len(texts))
            texts, y, weight = [texts[i] for i in keep], y[keep], weight[keep]
            groups = None if groups is None else [groups[i] for i in keep]
        self.n_train_ = len(texts)
        self.n_pseudo_ = 0
        self.adaptation_: dict = {"applied": False, "reason": "no unlabelled texts"}
        self.lexicon_only_ = bool(min(counts[NEG], counts[POS]) < self.min_per_class)
        self.classes_ = [NEG, POS, NEU] if counts[NEU] >= self.min_per_class else [NEG, POS]
        self.thresholds_ = (self.negative_below, self.positive_above)
        self.reference_prior_ = self.expected_prior_ = BALANCED
        if self.lexicon_only_:
            log.info("%s negative / %s positive labels (< %s): lexicon only", *counts[:2], self.min_per_class)
            self.set_empty()
            return self
        if len(self.classes_) == 3:
            # Thresholds are fitted at the training mix, so that mix is what the scores refer to.
            self.reference_prior_ = self.expected_prior_ = np.bincount(y, weight, minlength=3) / weight.sum()
        self._fit_labelled(texts, y, groups, weight)
        if pool and self.pseudo_share > 0:
            adapted = self.adapted(texts, y, pool, weight)
            self.__dict__.update(adapted.__dict__)
        if target_prior is not None:
            self.expect_prior(target_prior)
        return self

    def adapted(
        self,
        texts: Sequence[str],
        labels: Sequence[int],
        pool: Sequence[str],
        sample_weight: np.ndarray | None = None,
        held_out: Sequence[str] | None = None,
    ) -> SentimentModel:
        """This model adapted to ``pool`` when ``AdaptationCheck`` allows it, else an unchanged copy.

        ``fit`` and ``evaluate`` both come here (``adapt.adapt_model``), so they run the same recipe;
        ``held_out`` are texts to check the trial on (``evaluate`` passes the half it will score).
        """
        self._check()
        return adapt_model(self, texts, labels, pool, sample_weight, held_out)

    def predict_classes(self, texts: Sequence[str]) -> np.ndarray:
        """Class codes: P >= 0.5 for two classes (what accuracy counts), the fitted band for three."""
        score = scores(self.predict_with_lexicon(texts, full=True)[0])
        if len(self.classes_) == 2:
            return np.where(score >= 0, POS, NEG)
        return labels_at(score, *self.thresholds_)

    def self_train(
        self,
        texts: Sequence[str],
        labels: Sequence[int],
        pool: Sequence[str],
        proba: np.ndarray,
        cues: np.ndarray,
        sample_weight: np.ndarray | None = None,
    ) -> SentimentModel:
        """Retrain on the labelled data plus pseudo-labels for ``pool`` (``proba``: its (n, 3) probabilities).

        Pseudo-labels follow this model's own thresholds; the refit calibrates on stratified folds and fits
        its thresholds on the labelled rows only. A lexicon-only model is returned as it is.
        """
        self._check()
        if self.lexicon_only_:
            return self
        pseudo_classes = labels_at(scores(proba), *self.thresholds_) if len(self.classes_) == 3 else None
        more_texts, more_y, more_weight = with_pseudo(
            texts, labels, pool, proba, self.pseudo_share, cues, self.balance_pseudo, pseudo_classes
        )
        if sample_weight is not None:
            more_weight[: len(texts)] = sample_weight
        self.n_pseudo_ = len(more_texts) - len(texts)
        log.info("self-training on %d pseudo-labelled texts of %d unlabelled", self.n_pseudo_, len(pool))
        self._fit_labelled(more_texts, more_y, None, more_weight, n_real=len(texts))
        return self

    def expect_prior(self, prior: float | Sequence[float]) -> SentimentModel:
        """Shift scores to an expected class mix: P(positive) for two classes, or (neg, pos, neu) shares."""
        if not self.prior_correction:
            return self
        if np.ndim(prior) == 0:
            p = min(max(float(prior), 0.01), 0.99)
            rest = 1.0 - p
            ref = self.reference_prior_
            neu = ref[NEU] * rest / max(ref[NEG] + ref[NEU], 1e-9)
            prior = [rest - neu, p, neu]
        self.expected_prior_ = np.asarray(prior, dtype=np.float64)
        log.info("scores shifted to an expected %.1f%% positive", 100 * self.prior_)
        return self

    @property
    def prior_(self) -> float:
        """The expected share of positives where the model scores (0.5 when nothing shifted it)."""
        return float(self.expected_prior_[POS])

    def _fit_labelled(
        self,
        texts: list[str],
        y: np.ndarray,
        groups: Sequence[str] | None,
        weight: np.ndarray,
        n_real: int | None = None,
    ) -> None:
        tokens, hits = self._analyse(texts)
        words = [self._words(t) for t in tokens]
        # The stored vocabulary only holds n-grams of min_df distinct documents: no one customer's words.
        first: dict[str, int] = {}
        for i, t in enumerate(texts):
            first.setdefault(t, i)
        distinct = list(first.values())
        self.word_vec_ = TfidfVectorizer(analyzer=identity, sublinear_tf=True, min_df=self.min_df)
        self.char_vec_ = TfidfVectorizer(
            analyzer="char", ngram_range=tuple(self.char_ngrams), sublinear_tf=True, min_df=self.min_df
        )
        self.word_vec_.fit([words[i] for i in distinct])
        self.char_vec_.fit([texts[i] for i in distinct])
        lex = lexicon_matrix(hits)
        self.lex_scale_ = np.maximum(np.abs(lex).max(axis=0), 1.0)
        X = self._matrix(words, texts, lex)
        three = len(self.classes_) == 3
        self.vectors_ = make_vectors(self.pretrained)
        V = None if self.vectors_ is None else self.vectors_.fit(texts, tokens).transform(texts, tokens)
        width = (3 if three else 1) * (1 if V is None else 2)
        oof = np.zeros((len(y), width))
        for tr, te in self._folds(X, y, groups):
            oof[te] = self._decisions(X, V, y, weight, tr, te)
        clf = self._classifier().fit(X, y, sample_weight=weight)
        self.coef_ = clf.coef_.astype(np.float64) if three else clf.coef_.ravel().astype(np.float64)
        self.intercept_ = clf.intercept_.astype(np.float64) if three else np.float64(clf.intercept_[0])
        self.vector_coef_, self.vector_intercept_ = np.zeros(0), np.zeros(0)
        if V is not None:
            vclf = self._classifier(VECTOR_C).fit(V, y, sample_weight=weight)
            self.vector_coef_ = vclf.coef_.astype(np.float64)
            self.vector_intercept_ = vclf.intercept_.astype(np.float64)
        oof = oof if width > 1 else oof.ravel()
        self.calibration_ = fit_calibration(oof, _evidence(lex, three), y, weight)
        if three and self.fit_band:
            real = slice(0, n_real if n_real is not None else len(y))
            oof_scores = scores(probabilities(self.calibration_, oof[real], _evidence(lex[real], three)))
            self.thresholds_ = fit_thresholds(oof_scores, y[real])
            log.info("neutral band fitted at %.2f / %.2f", *self.thresholds_)
        self.index_words()

    def _folds(self, X, y: np.ndarray, groups: Sequence[str] | None):
        if groups is not None and len(set(groups)) >= self.calibration_folds:
            return GroupKFold(self.calibration_folds).split(X, y, np.asarray(groups))
        folds = StratifiedKFold(self.calibration_folds, shuffle=True, random_state=self.random_state)
        return folds.split(X, y)

    def _decisions(self, X, V: np.ndarray | None, y: np.ndarray, weight: np.ndarray, tr, te) -> np.ndarray:
        """Out-of-fold decision values of the text classifier (and the vector one beside it) on ``te``."""
        out = self._classifier().fit(X[tr], y[tr], sample_weight=weight[tr]).decision_function(X[te])
        out = out.reshape(len(te), -1)
        if V is None:
            return out
        vec = self._classifier(VECTOR_C).fit(V[tr], y[tr], sample_weight=weight[tr]).decision_function(V[te])
        return np.column_stack([out, vec.reshape(len(te), -1)])

    def _classifier(self, C: float | None = None) -> LogisticRegression:
        return LogisticRegression(
            C=self.C if C is None else C, class_weight="balanced", max_iter=3000, random_state=self.random_state
        )

    def set_empty(self) -> None:
        """The state of a model that learned nothing (too few labels): the lexicon alone decides."""
        self.word_vec_ = self.char_vec_ = None
        self.coef_ = np.zeros(0)
        self.intercept_ = np.float64(0.0)
        self.lex_scale_ = np.ones(6)
        self.calibration_ = np.zeros(3)
        self.vectors_: WordVectors | TextVectors | None = None
        self.vector_coef_, self.vector_intercept_ = np.zeros(0), np.zeros(0)
        self.explainer_ = CueExplainer({}, np.zeros(0), self.n_cues)

    def index_words(self) -> None:
        """Map feature columns back to readable words, for the cues a score shows (after fit or load)."""
        self.explainer_ = CueExplainer(self.word_vec_.vocabulary_, self.coef_, self.n_cues)

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
        """P(positive | not neutral) per text: the two-class probability binary metrics and files use."""
        return self.predict_with_lexicon(texts, tokens)[0]

    def predict_with_lexicon(
        self, texts: Sequence[str], tokens: Sequence[Sequence[str]] | None = None, full: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities and the lexicon's signed cue sum per text (what self-training checks agreement with).

        ``full`` gives the (n, 3) NEG/POS/NEU matrix instead of P(positive | not neutral).
        """
        self._check()
        texts = [t or "" for t in texts]
        tokens, hits = self._analyse(texts, tokens)
        proba = self._proba(texts, tokens, hits)[0]
        if not full:
            proba = proba[:, POS] / np.maximum(proba[:, POS] + proba[:, NEG], 1e-12)
        return proba, lexicon_matrix(hits)[:, 0]

    def _proba(self, texts, tokens, hits) -> tuple[np.ndarray, sparse.csr_matrix | None]:
        lex = lexicon_matrix(hits)
        if self.lexicon_only_:
            p = (np.array([squash(v) for v in lex[:, 0]]) + 1) / 2
            return np.column_stack([1 - p, p, np.zeros(len(p))]), None
        X = self._matrix([self._words(t) for t in tokens], texts, lex)
        decision = X @ self.coef_.T + self.intercept_
        if self.vectors_ is not None:
            V = self.vectors_.transform(texts, tokens)
            vec = V @ self.vector_coef_.T + self.vector_intercept_
            decision = np.column_stack([np.asarray(decision).reshape(len(texts), -1), vec])
        shift = prior_shift(self.expected_prior_, self.reference_prior_)
        return probabilities(self.calibration_, decision, _evidence(lex, self.coef_.ndim == 2), shift), X

    def label(self, score: float) -> str:
        return label_for(score, *self.thresholds_)

    def score_many(self, texts: Iterable[str], tokens: Sequence[Sequence[str]] | None = None) -> list[SentimentResult]:
        """Score a batch; each text is segmented once and shared by the lexicon and the model.

        Segmentation is most of the cost: pass ``tokens`` (``Segmenter.cut`` output, e.g. the stored
        ``feedback.tokens`` split on spaces) when the pipeline already has them.
        """
        self._check()
        texts = [t or "" for t in texts]
        tokens, hits = self._analyse(texts, tokens)
        proba, X = self._proba(texts, tokens, hits)
        pushes = self.explainer_.pushes(X, len(texts))
        out = []
        for i, s in enumerate(np.clip(scores(proba), -1.0, 1.0).tolist()):
            score = inquiry_cap(s, texts[i], hits[i], self.thresholds_) if texts[i].strip() else 0.0
            out.append(SentimentResult(score, self.label(score), self.explainer_.cues(score, hits[i], pushes[i])))
        return out

    def score(self, text: str) -> SentimentResult:
        return self.score_many([text])[0]

    # ---- persistence ---------------------------------------------------------------------------------
    def get_params(self) -> dict:
        return constructor_params(self)

    def save(self, folder: Path | str) -> Path:
        """Write config.json, manifest.json and arrays (.npy / JSON vocabularies); no pickle."""
        self._check()
        return persist.save(self, Path(folder))

    @classmethod
    def load(cls, folder: Path | str) -> SentimentModel:
        """Rebuild a saved model: vectorisers from their vocabularies and idf, coefficients from .npy."""
        return persist.load(cls, Path(folder))


def stratified_sample(y: np.ndarray, size: int, random_state: int) -> np.ndarray:
    """Sorted row indices of a seeded sample of ``size`` rows keeping each class's share (memory stays bounded
    however many ratings a workspace has; past ~100k rows a linear model learns little more)."""
    rng = np.random.default_rng(random_state)
    parts = []
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        parts.append(rng.choice(rows, max(1, round(size * len(rows) / len(y))), replace=False))
    return np.sort(np.concatenate(parts))


def _evidence(lex: np.ndarray, three: bool) -> np.ndarray:
    """The lexicon columns calibration sees: the cue sum (two classes), or praise and complaint mass apart
    (three: a neutral text has little of either, which a signed sum cannot tell from mixed feelings)."""
    return lex[:, 1:3] if three else lex[:, :1]
