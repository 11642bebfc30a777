"""ThemeModel: discover complaint themes from embeddings, keep their ids stable as new months arrive.

Centroids are fitted on the more informative records (those with at least the median number of distinct
content words): short or generic comments such as 服务很好 sit between every theme and pull k-means
centroids towards a shared "generic praise/complaint" direction. They are still assigned afterwards, to the
nearest theme or to the outlier label -1.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from voc.artifacts import constructor_params, read_json
from voc.errors import NotFittedError
from voc.topics.cluster import merge_centroids, nearest, normalise_rows, spherical_kmeans, theme_thresholds
from voc.topics.content import topic_words
from voc.topics.describe import describe
from voc.topics.keywords import add_counts, as_token_lists
from voc.topics.lineage import next_state
from voc.topics.persist import (
    fingerprint,
    load_array,
    read_artifact,
    write_artifact,
)
from voc.topics.quality import choose_k_by_labels
from voc.topics.state import ThemeState
from voc.topics.themes import Lineage, Theme

log = logging.getLogger(__name__)

KIND = "voc.topics.ThemeModel"


class ThemeModel:
    """Spherical k-means themes with c-TF-IDF labels, an outlier label and id-stable updates.

    ``n_themes=None`` picks k in [min_themes, max_themes] by how well c-TF-IDF labels describe the themes
    (``voc.topics.quality``), then merges themes whose centroids are closer than ``merge_threshold``; an int
    forces that many themes. Records without a topic word go to the generic bucket ``generic_id_``.
    ``outlier_threshold=None`` learns the cut-off as the ``outlier_quantile`` of fitted similarities.
    """

    def __init__(
        self,
        *,
        n_themes: int | None = None,
        min_themes: int = 2,
        max_themes: int = 30,
        n_init: int = 10,
        max_iter: int = 50,
        fit_quantile: float = 0.5,
        max_fit_samples: int = 50000,
        k_sample_size: int = 20000,
        merge_threshold: float | None = 0.8,
        split_threshold: float = 0.5,
        outlier_threshold: float | None = None,
        outlier_quantile: float = 0.05,
        assign_all: bool = False,
        min_theme_size: int = 5,
        n_keywords: int = 10,
        label_words: int = 3,
        n_representatives: int = 5,
        center: bool = True,
        random_state: int = 0,
    ) -> None:
        self.center = center
        self.n_themes = n_themes
        self.min_themes = min_themes
        self.max_themes = max_themes
        self.n_init = n_init
        self.max_iter = max_iter
        self.fit_quantile = fit_quantile
        self.max_fit_samples = max_fit_samples
        self.k_sample_size = k_sample_size
        self.merge_threshold = merge_threshold
        self.split_threshold = split_threshold
        self.outlier_threshold = outlier_threshold
        self.outlier_quantile = outlier_quantile
        self.assign_all = assign_all
        self.min_theme_size = min_theme_size
        self.n_keywords = n_keywords
        self.label_words = label_words
        self.n_representatives = n_representatives
        self.random_state = random_state

    # ------------------------------------------------------------------ fitting
    def fit(self, embeddings: np.ndarray, tokens: Sequence[Sequence[str] | str]) -> ThemeModel:
        """Discover themes in one batch of records (embeddings row-aligned with their jieba tokens)."""
        x, toks = self._check(embeddings, tokens)
        topics = topic_words().many(toks)
        content = self._content(x, topics)
        self.mean_ = (
            x[content].mean(axis=0).astype(np.float32)
            if self.center
            else np.zeros(x.shape[1], dtype=np.float32)
        )
        x = self._centre(x)
        fit_rows = self._fit_rows(x, topics, content)
        sample = x[fit_rows]
        if self.n_themes is not None:
            k, self.k_scores_ = min(int(self.n_themes), len(sample)), {}
        else:
            k, self.k_scores_ = choose_k_by_labels(
                sample,
                [topics[i] for i in fit_rows],
                self.min_themes,
                self.max_themes,
                n_words=self.label_words,
                sample_size=self.k_sample_size,
                random_state=self.random_state,
            )
        result = spherical_kmeans(
            sample, k, n_init=self.n_init, max_iter=self.max_iter, random_state=self.random_state
        )
        centroids = result.centroids
        if self.n_themes is None and self.merge_threshold is not None:
            centroids = merge_centroids(centroids, np.bincount(result.labels, minlength=k), self.merge_threshold)
        idx, sims = nearest(x, centroids)
        # Theme ids follow size (largest theme is 0) so the same data gives the same ids.
        order = np.argsort(-np.bincount(idx[content], minlength=len(centroids)), kind="stable")
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        idx = rank[idx]
        if self.outlier_threshold is not None:
            threshold = float(self.outlier_threshold)
        else:
            threshold = float(np.quantile(sims[content], self.outlier_quantile))
        state = ThemeState(
            centroids=np.ascontiguousarray(centroids[order], dtype=np.float32),
            theme_ids=np.arange(len(order), dtype=np.int64),
            thresholds=theme_thresholds(np.where(content, idx, -1), sims, len(order), threshold,
                                        self.outlier_quantile),
            threshold=threshold,
            generic_id=len(order),
            next_id=len(order) + 1,
        )
        labels = state.theme_ids[idx]
        if not self.assign_all:
            labels = np.where(sims >= state.thresholds[idx], labels, -1)
        labels = np.where(content, labels, state.generic_id)
        self.labels_, self.similarities_ = labels, np.where(content, sims, 0.0).astype(np.float32)
        self.n_features_in_ = x.shape[1]
        self.fingerprint_ = fingerprint(x, tokens=toks)
        state.absorb(topics, labels, content)
        state.themes = describe(self, state, topics, labels, self.similarities_)
        self.state_ = state
        log.info("fitted %d themes on %d records (%d outliers, %d without a topic)", k, len(x),
                 int((labels < 0).sum()), int((~content).sum()))
        return self

    @staticmethod
    def _content(x: np.ndarray, topics: list[list[str]]) -> np.ndarray:
        """Records that say what they are about (a topic word and a vector); the rest are generic rants."""
        content = np.array([bool(t) for t in topics], dtype=bool) & (np.linalg.norm(x, axis=1) > 0)
        if content.sum() < 2:
            raise ValueError("fewer than two records with a topic word: nothing to cluster")
        return content

    def _centre(self, x: np.ndarray) -> np.ndarray:
        """Remove the corpus mean learned in fit: word-vector averages share a strong common direction that
        makes every theme look alike (and the number of themes impossible to choose) until it is taken out."""
        zero = np.linalg.norm(x, axis=1) == 0
        out = normalise_rows(x - self.mean_[None, :])
        out[zero] = 0.0
        return out

    def _check(self, embeddings: np.ndarray, tokens: Sequence[Sequence[str] | str]) -> tuple:
        x = normalise_rows(np.asarray(embeddings))
        if x.ndim != 2:
            raise ValueError("embeddings must be a 2-D matrix, one row per record")
        toks = as_token_lists(tokens)
        if len(toks) != len(x):
            raise ValueError(f"{len(x)} embeddings but {len(toks)} token lists")
        return x, toks

    def _fit_rows(self, x: np.ndarray, topics: list[list[str]], content: np.ndarray) -> np.ndarray:
        """Rows the centroids learn from: records with the median number of topic words or more, sampled."""
        n_words = np.array([len(t) for t in topics])
        cut = np.quantile(n_words[content], self.fit_quantile) if self.fit_quantile > 0 else 0
        rows = np.flatnonzero(content & (n_words >= cut))
        need = 20 * (self.n_themes or self.max_themes)
        if len(rows) < min(need, int(content.sum())):
            rows = np.flatnonzero(content)
        if len(rows) > self.max_fit_samples:
            rng = np.random.default_rng(self.random_state)
            rows = np.sort(rng.choice(rows, self.max_fit_samples, replace=False))
        return rows

    # ------------------------------------------------------------------ using
    def _require_fitted(self) -> None:
        if not hasattr(self, "state_"):
            raise NotFittedError("ThemeModel is not fitted: call fit(embeddings, tokens) or ThemeModel.load(dir)")

    # read-only views of the learned state, scikit-learn style
    centroids_ = property(lambda self: self.state_.centroids)
    theme_ids_ = property(lambda self: self.state_.theme_ids)
    thresholds_ = property(lambda self: self.state_.thresholds)
    threshold_ = property(lambda self: self.state_.threshold)
    generic_id_ = property(lambda self: self.state_.generic_id)
    next_id_ = property(lambda self: self.state_.next_id)
    step_ = property(lambda self: self.state_.step)
    sizes_ = property(lambda self: self.state_.sizes)
    themes_ = property(lambda self: self.state_.themes)

    @property
    def themes(self) -> dict[int, Theme]:
        """Themes by id."""
        self._require_fitted()
        return {t.id: t for t in self.themes_}

    def assign(self, embeddings: np.ndarray, *, assign_all: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Theme id of each record by centroid similarity (-1 below the threshold) and that similarity."""
        self._require_fitted()
        x = normalise_rows(np.asarray(embeddings))
        if x.ndim != 2 or x.shape[1] != self.n_features_in_:
            raise ValueError(f"expected embeddings with {self.n_features_in_} columns")
        return self.assign_prepared(self._centre(x), assign_all)

    def assign_prepared(self, x: np.ndarray, assign_all: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
        """assign() for rows already normalised and centred (what an update step works with)."""
        return self.state_.assign(x, self.assign_all if assign_all is None else assign_all)

    def curate(self, pinned: set[int], splits: set[int]) -> None:
        """The analysts' decisions the next update honours: themes never split automatically, themes to split."""
        self._require_fitted()
        self.state_.pinned, self.state_.force_split = set(pinned), set(splits)

    def prepare(self, embeddings: np.ndarray, tokens: Sequence[Sequence[str] | str]
                ) -> tuple[np.ndarray, list[list[str]]]:
        """Rows as an update step works with them (normalised, centred on the fitted mean) and token lists."""
        self._require_fitted()
        x, toks = self._check(embeddings, tokens)
        return self._centre(x), toks

    def update(self, embeddings: np.ndarray, tokens: Sequence[Sequence[str] | str]) -> Lineage:
        """Assign a new batch, turn its coherent leftovers into new themes (fresh ids), report lineage."""
        x, toks = self.prepare(embeddings, tokens)
        self.state_, lineage = next_state(self, self.state_, x, toks)
        return lineage

    def merge_theme(self, old: int, into: int) -> bool:
        """Fold theme ``old`` into ``into`` (an analyst's merge): one centroid, pooled counts; False if absent."""
        s = self.state_.copy()
        ids = [int(i) for i in s.theme_ids]
        if old not in ids or into not in ids or old == into:
            return False
        a, b = ids.index(old), ids.index(into)
        wa, wb = max(s.sizes.get(old, 0), 1), max(s.sizes.get(into, 0), 1)
        s.centroids[b] = normalise_rows((s.centroids[a] * wa + s.centroids[b] * wb)[None, :])[0]
        keep = [i for i in range(len(ids)) if i != a]
        s.centroids = np.ascontiguousarray(s.centroids[keep], dtype=np.float32)
        s.theme_ids, s.thresholds = s.theme_ids[keep], s.thresholds[keep]
        add_counts(s.word_counts.setdefault(into, {}), s.word_counts.pop(old, {}))
        s.sizes[into] = s.sizes.get(into, 0) + s.sizes.pop(old, 0)
        s.themes = [t for t in s.themes if t.id != old]
        self.state_ = s
        return True

    # ------------------------------------------------------------------ persistence
    def get_params(self) -> dict:
        """Constructor arguments (scikit-learn style); what config.json stores."""
        return constructor_params(self)

    def save(self, directory: str) -> None:
        """Folder with config.json, centroids.npy, theme_ids.npy, labels.npy, themes.json, counts.json and
        manifest.json, written atomically (a killed save leaves the previous folder)."""
        self._require_fitted()
        s = self.state_
        state = {
            "threshold": s.threshold,
            "next_id": s.next_id,
            "step": s.step,
            "n_features_in": self.n_features_in_,
            "k_scores": {str(k): v for k, v in self.k_scores_.items()},
            "generic_id": s.generic_id,
        }
        write_artifact(
            directory,
            KIND,
            self.get_params(),
            self.fingerprint_,
            {
                "centroids.npy": np.asarray(s.centroids, dtype=np.float32),
                "mean.npy": np.asarray(self.mean_, dtype=np.float32),
                "thresholds.npy": np.asarray(s.thresholds, dtype=np.float32),
                "theme_ids.npy": np.asarray(s.theme_ids, dtype=np.int64),
                "labels.npy": np.asarray(self.labels_, dtype=np.int64),
                "similarities.npy": np.asarray(self.similarities_, dtype=np.float32),
                "themes.json": [t.to_dict() for t in s.themes],
                "state.json": state,
                "counts.json": {
                    "sizes": {str(k): v for k, v in s.sizes.items()},
                    "overall": s.overall_counts,
                    "themes": {str(k): v for k, v in s.word_counts.items()},
                },
            },
        )

    @classmethod
    def load(cls, directory: str) -> ThemeModel:
        """A model saved with ``save``; arrays are memory-mapped."""
        path, config, manifest = read_artifact(directory, KIND)
        model = cls(**config)
        state = read_json(path / "state.json")
        counts = read_json(path / "counts.json")
        model.state_ = ThemeState(
            centroids=load_array(path / "centroids.npy"),
            theme_ids=load_array(path / "theme_ids.npy"),
            thresholds=np.array(load_array(path / "thresholds.npy"), dtype=np.float32),
            threshold=float(state["threshold"]),
            generic_id=int(state["generic_id"]),
            next_id=int(state["next_id"]),
            step=int(state["step"]),
            sizes={int(k): int(v) for k, v in counts["sizes"].items()},
            word_counts={int(k): {w: float(n) for w, n in v.items()} for k, v in counts["themes"].items()},
            overall_counts={w: float(n) for w, n in counts["overall"].items()},
            themes=[Theme.from_dict(t) for t in read_json(path / "themes.json")],
        )
        model.mean_ = np.asarray(load_array(path / "mean.npy"), dtype=np.float32)
        model.labels_ = load_array(path / "labels.npy")
        model.similarities_ = load_array(path / "similarities.npy")
        model.n_features_in_ = int(state["n_features_in"])
        model.k_scores_ = {int(k): float(v) for k, v in state["k_scores"].items()}
        model.fingerprint_ = manifest["fingerprint"]
        return model
