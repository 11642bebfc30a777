"""Enrichment: sentiment, escalation, complaint flag and process step for every stored record.

Runs after every ingest on what is new; `voc sentiment train` re-scores everything with the model learned from
the workspace's own rated records.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voc.config import Settings
from voc.engine import Engine, LocalEngine
from voc.sentiment import (
    NEGATIVE,
    NEUTRAL,
    LexiconScorer,
    Scorer,
    SentimentModel,
    SnowNLPScorer,
    score_call,
    weak_label,
)
from voc.sentiment.model import stratified_sample
from voc.store import Enrichment, Store
from voc.taxonomy import Taxonomy

log = logging.getLogger(__name__)

SENTIMENT_DIR = "sentiment"
Progress = Callable[[int], None]


def sentiment_dir(models_dir: Path) -> Path:
    return models_dir / SENTIMENT_DIR


def load_scorer(models_dir: Path, settings: Settings) -> Scorer:
    """The trained model when `voc sentiment train` has run, else the lexicon scorer."""
    folder = sentiment_dir(models_dir)
    if (folder / "manifest.json").exists():
        return SentimentModel.load(folder)
    s = settings.sentiment
    return LexiconScorer(negative_below=s.negative_threshold, positive_above=s.positive_threshold)


def is_complaint(
    label: str, rating: float | None, scale: str | None, escalation: bool | None, complaint_cue: bool = False
) -> bool:
    """Complaint candidate: negative text, a low rating, an escalating call, or a neutral text with a complaint
    cue (a failure shape such as 转不了 or a negative lexicon word): what sentiment misses stays visible."""
    low = rating is not None and scale is not None and weak_label(rating, scale) == 0
    return label == NEGATIVE or low or bool(escalation) or (label == NEUTRAL and complaint_cue)


_CUES: list[LexiconScorer] = []


def complaint_cues(texts: Sequence[str]) -> list[bool]:
    """Whether the lexicon and complaint rules alone read each text as negative (the trained model may not)."""
    if not _CUES:
        _CUES.append(LexiconScorer())
    return [r.score < 0 for r in _CUES[0].score_many(texts)]


@dataclass
class EnrichResult:
    records: int = 0
    complaints: int = 0
    escalations: int = 0
    scorer: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "complaints": self.complaints, "escalations": self.escalations,
                "scorer": self.scorer}


StepOf = Callable[[list[dict[str, Any]]], list[str | None]]


@dataclass
class ScoredBatch:
    """One batch's derived fields, ready for :meth:`EnrichmentRepository.write_enrichment`."""

    rows: list[Enrichment]
    turn_scores: list[tuple[str, int, float]]


@dataclass
class Scoring:
    """Everything scoring a batch needs, in one picklable object an engine can ship to its workers once.

    ``step_of`` optionally supplies an embedding-based process step for the records of a batch that no
    keyword rule matches (it is given only those); the step itself is :meth:`Taxonomy.classify`'s.
    """

    scorer: Scorer
    taxonomy: Taxonomy
    step_of: StepOf | None = None

    def __call__(self, item: tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]) -> ScoredBatch:
        """Sentiment, escalation, complaint flag and process step of one batch and the turns of its calls."""
        batch, turns = item
        scorer = self.scorer
        scores = scorer.score_many([r["text"] for r in batch])
        steps = self.taxonomy.classify([r["tokens"].split() for r in batch], _fallback_for(batch, self.step_of))
        neutral = [i for i, r in enumerate(scores) if r.label == NEUTRAL]
        cued = dict(zip(neutral, complaint_cues([batch[i]["text"] for i in neutral]), strict=True))
        rows, turn_scores = [], []
        for i, (rec, res, step) in enumerate(zip(batch, scores, steps, strict=True)):
            score, label, cues, escalation = res.score, res.label, res.cues, None
            if rec["channel"] == "call":
                call_turns = turns.get(rec["id"], [])
                cs = score_call([(t["speaker"], t["text"]) for t in call_turns], scorer)
                escalation = cs.escalation
                if cs.trajectory:
                    score = cs.score
                    label = _label(score, scorer)
                    cues = tuple(cs.reasons) + tuple(cues)
                customer = [t for t in call_turns if t["speaker"] == "customer" and (t["text"] or "").strip()]
                turn_scores += [(rec["id"], t["idx"], s) for t, s in zip(customer, cs.trajectory, strict=False)]
            complaint = is_complaint(label, rec["rating"], rec["rating_scale"], escalation, cued.get(i, False))
            rows.append(Enrichment(rec["id"], score, label, cues, escalation, complaint, step))
        return ScoredBatch(rows, turn_scores)


def _fallback_for(batch: list[dict[str, Any]], step_of: StepOf | None
                  ) -> Callable[[list[int]], list[str | None]] | None:
    """Taxonomy.classify's fallback for one batch: `step_of` on the unmatched records."""
    if step_of is None:
        return None
    return lambda todo: step_of([batch[i] for i in todo])


def batches_to_enrich(
    store: Store, only_new: bool = True
) -> Iterator[tuple[list[dict[str, Any]], dict[str, list[dict[str, Any]]]]]:
    """The store's batches still to enrich, each with the turns of its calls (what a worker needs)."""
    for batch in store.enrichment.iter_for_enrichment(only_new=only_new):
        calls = [r["id"] for r in batch if r["channel"] == "call"]
        yield batch, (store.enrichment.customer_turns(calls) if calls else {})


def enrich(
    store: Store,
    scorer: Scorer,
    taxonomy: Taxonomy,
    only_new: bool = True,
    progress: Progress | None = None,
    step_of: StepOf | None = None,
    engine: Engine | None = None,
) -> EnrichResult:
    """Score and classify records batch by batch; each batch commits on its own so a crash loses one batch.

    The ``engine`` decides where batches are scored (this process by default, or a Ray cluster); reads and
    writes stay here, in the store.
    """
    result = EnrichResult(scorer=type(scorer).__name__)
    scoring = Scoring(scorer, taxonomy, step_of)
    for scored in (engine or LocalEngine()).map(scoring, batches_to_enrich(store, only_new)):
        store.enrichment.write_enrichment(scored.rows, scored.turn_scores)
        result.records += len(scored.rows)
        result.complaints += sum(r.complaint for r in scored.rows)
        result.escalations += sum(bool(r.escalation) for r in scored.rows)
        if progress:
            progress(len(scored.rows))
    return result


def _label(score: float, scorer: Scorer) -> str:
    """The scorer's own label for a call's score (a trained model's fitted band, else the settings' one)."""
    labeller = getattr(scorer, "label", None)
    if labeller is not None:
        return labeller(score)
    from voc.sentiment import label_for

    return label_for(score)


@dataclass
class LabelledData:
    """What sentiment trains on: the texts and labels kept, and every labelled row's label (for the counts)."""

    texts: list[str]
    labels: list[int]
    all_labels: np.ndarray
    rated_rows: int
    external: int


def labelled_data(store: Store, extra: tuple[Sequence[str], Sequence[int]] | None, cap: int,
                  random_state: int = 0) -> LabelledData:
    """The rated records' texts with their weak labels, then ``extra``'s; past ``cap`` rows, the stratified
    sample the model would draw, chosen in a first pass that keeps only labels, so memory holds ``cap`` texts
    however many ratings the workspace has (the store streams both passes)."""
    ext = [(t, int(y)) for t, y in zip(*extra, strict=True) if (t or "").strip()] if extra else []
    small = store.enrichment.count_rated() + len(ext) <= cap
    texts: list[str] = []
    codes = array("b")
    rated_rows = 0
    for r in store.enrichment.iter_rated():
        rated_rows += 1
        if r["text"].strip():
            codes.append(weak_label(r["rating"], r["rating_scale"]))
            if small:
                texts.append(r["text"])
    codes.extend(y for _, y in ext)
    every = np.frombuffer(codes, dtype=np.int8).astype(np.int64) if codes else np.zeros(0, dtype=np.int64)
    if small:
        return LabelledData(texts + [t for t, _ in ext], every.tolist(), every, rated_rows, len(ext))
    # empty texts can make the rows fit after all: then the second pass keeps every one
    keep = stratified_sample(every, cap, random_state) if len(every) > cap else np.arange(len(every))
    wanted = set(keep.tolist())
    i = 0
    for r in store.enrichment.iter_rated():
        if r["text"].strip():
            if i in wanted:
                texts.append(r["text"])
            i += 1
    texts += [t for j, (t, _) in enumerate(ext, start=i) if j in wanted]
    return LabelledData(texts, every[keep].tolist(), every, rated_rows, len(ext))


def train_sentiment(
    store: Store,
    models_dir: Path,
    settings: Settings,
    random_state: int = 0,
    extra: tuple[Sequence[str], Sequence[int]] | None = None,
) -> dict[str, Any]:
    """Fit the model on the rated records (plus ``extra`` labelled texts) and save it; report what it learned from.

    Ratings are weak labels (1-2 stars negative, 3 neutral, 4-5 positive); ``extra`` is a bank's own
    annotated sample (``voc sentiment train --train-file``), so a workspace with few ratings still trains.
    """
    s = settings.sentiment
    data = labelled_data(store, extra, s.max_training_rows, random_state)
    texts, labels = data.texts, data.labels
    model = SentimentModel(
        min_per_class=s.min_rated_per_class,
        min_df=s.min_document_count,
        min_unlabelled=s.min_unlabelled,
        max_train=s.max_training_rows,
        pretrained=s.pretrained,
        negative_below=s.negative_threshold,
        positive_above=s.positive_threshold,
        random_state=random_state,
    )
    unrated = store.enrichment.unrated_texts(model.max_unlabelled)
    model.fit(texts, labels, unlabelled=unrated)
    report = model.adaptation_
    if report.get("applied") and report.get("prior_shift") and texts:
        # One model scores every channel: expect the unrated channels' estimated mix and the labelled one's
        # known mix in proportion to how many records each has.
        n_unrated = store.enrichment.count_unrated()
        share = n_unrated / (n_unrated + len(data.all_labels))
        known = np.bincount(data.all_labels, minlength=3) / len(data.all_labels)
        model.expect_prior(share * np.asarray(report["prior"]) + (1 - share) * known)
    every = np.bincount(data.all_labels, minlength=3)
    counts = {name: int(every[code]) for code, name in ((0, "negative"), (2, "neutral"), (1, "positive"))}
    info = {"rated": data.rated_rows, "labelled": len(data.all_labels), "external": data.external,
            "trained_on": model.n_train_, **counts,
            "classes": len(model.classes_), "thresholds": [round(t, 2) for t in model.thresholds_],
            "unrated": len(unrated), "adapted": bool(report.get("applied")),
            "adaptation": report.get("reason", ""), "pseudo_labelled": model.n_pseudo_,
            "expected_positive": round(model.prior_, 3), "lexicon_only": model.lexicon_only_}
    if model.lexicon_only_:
        return {**info, "saved": None}
    folder = sentiment_dir(models_dir)
    model.save(folder)
    return {**info, "saved": str(folder)}


def score_snownlp(store: Store, month: str | None = None, progress: Progress | None = None) -> int:
    """Fill the SnowNLP baseline field in its own pass (it is ~50x slower than voc's scorer)."""
    snow = SnowNLPScorer()
    n = 0
    for batch in store.enrichment.iter_missing_snownlp(month=month):
        store.enrichment.write_snownlp([(r["id"], snow.score(r["text"]).score) for r in batch])
        n += len(batch)
        if progress:
            progress(len(batch))
    return n
