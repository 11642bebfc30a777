"""Sentiment's training rows: all of them under the cap, past it the model's own stratified sample, read in
two streamed passes so only the sampled texts are held."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from builders import build_workspace

from voc.enrich import labelled_data
from voc.sentiment import weak_label
from voc.sentiment.model import stratified_sample
from voc.store import Store


def _all_rated(store: Store) -> tuple[list[str], list[int]]:
    rows = store.query("SELECT text, rating, rating_scale FROM feedback WHERE rating IS NOT NULL ORDER BY rid")
    kept = [r for r in rows if r["text"].strip()]
    return [r["text"] for r in kept], [weak_label(r["rating"], r["rating_scale"]) for r in kept]


def test_under_the_cap_every_labelled_text_trains(tmp_path: Path) -> None:
    built = build_workspace(tmp_path / "ws")
    with Store.open(built.ws.db_path) as store:
        texts, labels = _all_rated(store)
        data = labelled_data(store, (["额外的一条", " "], [0, 1]), cap=10**6)
    assert data.texts == [*texts, "额外的一条"] and data.labels == [*labels, 0]
    assert data.rated_rows == len(texts) and data.external == 1
    assert data.all_labels.tolist() == data.labels


def test_past_the_cap_the_sample_is_the_models_own_stratified_draw(tmp_path: Path) -> None:
    built = build_workspace(tmp_path / "ws")
    extra = ([f"额外样本{i}，服务很差" for i in range(30)], [0] * 30)
    with Store.open(built.ws.db_path) as store:
        texts, labels = _all_rated(store)
        cap = len(texts) // 4
        data = labelled_data(store, extra, cap=cap, random_state=3)
    every = np.array([*labels, *extra[1]])
    keep = stratified_sample(every, cap, 3)
    pool = [*texts, *extra[0]]
    assert data.texts == [pool[i] for i in keep]
    assert data.labels == every[keep].tolist()
    assert abs(len(data.texts) - cap) <= 3 and data.all_labels.tolist() == every.tolist()
    shares = np.bincount(data.labels, minlength=3) / len(data.labels)
    np.testing.assert_allclose(shares, np.bincount(every, minlength=3) / len(every), atol=0.02)
    assert any(t.startswith("额外样本") for t in data.texts)  # the bank's own sample is drawn from too
