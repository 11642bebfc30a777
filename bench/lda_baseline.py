"""gensim LDA, the topic-model baseline bench_topics.py measures voc's ThemeModel against.

Same surface as ThemeModel's discovery part: ``fit(tokens)`` sets ``labels_`` (dominant topic, -1 for a
record with no known word), ``similarities_`` (its probability) and ``themes_``. LDA reads bags of words,
not embeddings. The gensim model is stored with gensim's own ``save`` inside the folder, which is accepted
for this baseline only.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from gensim.corpora import Dictionary
from gensim.models import LdaModel, LdaMulticore

from voc.artifacts import constructor_params, read_json
from voc.errors import NotFittedError
from voc.topics.coherence import npmi_coherence
from voc.topics.keywords import as_token_lists, distinct_labels
from voc.topics.persist import fingerprint, load_array, read_artifact, write_artifact
from voc.topics.themes import Theme

log = logging.getLogger(__name__)

KIND = "voc.topics.LdaThemeModel"


class LdaThemeModel:
    """Bag-of-words LDA over jieba content words; ``workers > 1`` uses gensim's LdaMulticore."""

    def __init__(
        self,
        *,
        n_themes: int = 9,
        passes: int = 5,
        no_below: int = 5,
        no_above: float = 0.5,
        workers: int = 1,
        chunksize: int = 2000,
        n_keywords: int = 10,
        label_words: int = 3,
        n_representatives: int = 5,
        coherence_sample: int = 20000,
        random_state: int = 0,
    ) -> None:
        self.n_themes = n_themes
        self.passes = passes
        self.no_below = no_below
        self.no_above = no_above
        self.workers = workers
        self.chunksize = chunksize
        self.n_keywords = n_keywords
        self.label_words = label_words
        self.n_representatives = n_representatives
        self.coherence_sample = coherence_sample
        self.random_state = random_state

    def fit(self, tokens: Sequence[Sequence[str] | str]) -> LdaThemeModel:
        """Learn ``n_themes`` topics and give every record its dominant one."""
        toks = as_token_lists(tokens)
        dictionary = Dictionary(toks)
        dictionary.filter_extremes(no_below=self.no_below, no_above=self.no_above, keep_n=None)
        corpus = [dictionary.doc2bow(t) for t in toks]
        common = {
            "corpus": corpus,
            "id2word": dictionary,
            "num_topics": self.n_themes,
            "passes": self.passes,
            "chunksize": self.chunksize,
            "random_state": self.random_state,
        }
        if self.workers > 1:
            self.lda_ = LdaMulticore(workers=self.workers, **common)
        else:
            self.lda_ = LdaModel(**common)
        self.dictionary_ = dictionary
        self.labels_, self.similarities_ = self._dominant(corpus)
        self.fingerprint_ = fingerprint(tokens=toks)
        self.themes_ = self._describe(toks)
        return self

    def _dominant(self, corpus: list[list[tuple[int, int]]]) -> tuple[np.ndarray, np.ndarray]:
        labels = np.full(len(corpus), -1, dtype=np.int64)
        probs = np.zeros(len(corpus), dtype=np.float32)
        for start in range(0, len(corpus), self.chunksize):
            chunk = corpus[start : start + self.chunksize]
            gamma, _ = self.lda_.inference(chunk)
            theta = gamma / gamma.sum(1, keepdims=True)
            for j, bow in enumerate(chunk):
                if bow:
                    labels[start + j] = int(theta[j].argmax())
                    probs[start + j] = float(theta[j].max())
        return labels, probs

    def _describe(self, toks: list[list[str]]) -> list[Theme]:
        keywords = {
            t: [(w, round(float(p), 6)) for w, p in self.lda_.show_topic(t, topn=self.n_keywords)]
            for t in range(self.n_themes)
        }
        names = distinct_labels(keywords, self.label_words)
        coherence = npmi_coherence(
            [[w for w, _ in keywords[t]] for t in range(self.n_themes)],
            toks,
            sample_size=self.coherence_sample,
            random_state=self.random_state,
        )
        themes = []
        for t in range(self.n_themes):
            members = np.flatnonzero(self.labels_ == t)
            closest = members[np.argsort(-self.similarities_[members], kind="stable")[: self.n_representatives]]
            themes.append(
                Theme(t, names[t], keywords[t], len(members), round(coherence[t], 6), [int(r) for r in closest])
            )
        return themes

    def assign(self, tokens: Sequence[Sequence[str] | str]) -> tuple[np.ndarray, np.ndarray]:
        """Dominant topic and its probability for new records (-1 when no word is in the vocabulary)."""
        if not hasattr(self, "lda_"):
            raise NotFittedError("LdaThemeModel is not fitted: call fit(tokens) or LdaThemeModel.load(dir)")
        return self._dominant([self.dictionary_.doc2bow(t) for t in as_token_lists(tokens)])

    def get_params(self) -> dict:
        """Constructor arguments; what config.json stores."""
        return constructor_params(self)

    def save(self, directory: str) -> None:
        """Folder with config.json, themes.json, labels.npy, gensim's lda/dictionary files, manifest.json."""
        if not hasattr(self, "lda_"):
            raise NotFittedError("LdaThemeModel is not fitted: nothing to save")
        path = write_artifact(
            directory,
            KIND,
            self.get_params(),
            self.fingerprint_,
            {
                "labels.npy": self.labels_,
                "similarities.npy": self.similarities_,
                "themes.json": [t.to_dict() for t in self.themes_],
            },
        )
        self.lda_.save(str(path / "lda.gensim"))
        self.dictionary_.save(str(path / "dictionary.gensim"))

    @classmethod
    def load(cls, directory: str) -> LdaThemeModel:
        """A model saved with ``save``."""
        path, config, manifest = read_artifact(directory, KIND)
        model = cls(**config)
        model.lda_ = LdaModel.load(str(path / "lda.gensim"))
        model.dictionary_ = Dictionary.load(str(path / "dictionary.gensim"))
        model.labels_ = load_array(path / "labels.npy")
        model.similarities_ = load_array(path / "similarities.npy")
        model.themes_ = [Theme.from_dict(t) for t in read_json(path / "themes.json")]
        model.fingerprint_ = manifest["fingerprint"]
        return model
