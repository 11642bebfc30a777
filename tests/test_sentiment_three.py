"""Three classes: training with neutral examples, the fitted band, 3-class evaluation, privacy (fast, offline)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from test_sentiment_model import BAD, GOOD, PREFIX, SUFFIX

from voc.sentiment import SentimentModel, evaluate_files
from voc.sentiment.calibrate import fit_thresholds, labels_at
from voc.sentiment.labels import NEG, NEU, POS, read_labelled

# What most bank feedback is: neither praise nor complaint.
NEUTRAL = [
    "请问信用卡怎么分期",
    "我想了解一下大额存单",
    "今天去网点办了张借记卡",
    "账单日是每月五号",
    "额度是两万",
    "刚刚收到了短信通知",
    "下个月准备去柜台销户",
    "手机银行里能查到流水",
    "利率是按年算的吗",
    "周末网点开门吗",
    "我用的是工资卡",
    "上周申请了房贷",
    "积分可以换里程",
    "卡片已经寄出",
    "明天再去一趟",
]


def bank_texts(n: int, seed: int) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        y = (NEG, NEU, NEU, POS)[i % 4]
        pool = {NEG: BAD, POS: GOOD, NEU: NEUTRAL}[y]
        texts.append(rng.choice(PREFIX) + "，".join(rng.sample(pool, 2)) + rng.choice(SUFFIX))
        labels.append(y)
    return texts, labels


@pytest.fixture(scope="module")
def model() -> SentimentModel:
    return SentimentModel(min_per_class=50).fit(*bank_texts(800, seed=1))


def test_neutral_examples_make_a_three_class_model_with_a_fitted_band(model: SentimentModel) -> None:
    assert model.classes_ == [NEG, POS, NEU]
    assert model.thresholds_ != (-0.2, 0.2)
    texts, labels = bank_texts(300, seed=2)
    got = [{"负面": NEG, "中性": NEU, "正面": POS}[r.label] for r in model.score_many(texts)]
    assert np.mean(np.array(got) == np.array(labels)) >= 0.9
    assert model.score("请问怎么开通").label == "中性"


def test_too_few_neutral_examples_leave_two_classes() -> None:
    texts, labels = bank_texts(800, seed=3)
    keep = [i for i, y in enumerate(labels) if y != NEU or i % 40 == 1]
    two = SentimentModel(min_per_class=50).fit([texts[i] for i in keep], [labels[i] for i in keep])
    assert two.classes_ == [NEG, POS] and two.thresholds_ == (-0.2, 0.2)


def test_three_class_model_round_trips(model: SentimentModel, tmp_path: Path) -> None:
    texts, _ = bank_texts(40, seed=4)
    loaded = SentimentModel.load(model.save(tmp_path / "m"))
    assert loaded.classes_ == model.classes_ and loaded.thresholds_ == model.thresholds_
    assert loaded.score_many(texts) == model.score_many(texts)


def test_fit_thresholds_finds_the_band_that_separates() -> None:
    rng = np.random.default_rng(0)
    y = np.array([NEG] * 100 + [NEU] * 600 + [POS] * 100)
    score = np.concatenate([rng.uniform(-1, -0.5, 100), rng.uniform(-0.4, 0.3, 600), rng.uniform(0.4, 1, 100)])
    lo, hi = fit_thresholds(score, y)
    assert -0.5 <= lo <= -0.4 and 0.3 <= hi <= 0.4
    assert (labels_at(score, lo, hi) == y).all()


def test_vocabulary_holds_only_ngrams_of_three_distinct_documents() -> None:
    texts, labels = bank_texts(600, seed=5)
    secret = "客户张三丰尾号九九八八"
    # Repeating one customer's text does not make it common: documents are counted once.
    texts += [secret + "，柜员很耐心"] * 5 + ["王五六的工号七七，" + GOOD[0]] * 2
    labels += [POS] * 7
    fitted = SentimentModel(min_per_class=50).fit(texts, labels)
    words = set(fitted.word_vec_.vocabulary_)
    chars = set(fitted.char_vec_.vocabulary_)
    assert not any("张三丰" in w for w in words) and "三丰尾" not in chars and "七七" not in words
    assert "耐心" in words or "耐心" in chars
    loose = SentimentModel(min_per_class=50, min_df=1).fit(texts, labels)
    assert "三丰尾" in loose.char_vec_.vocabulary_


def _write(path: Path, texts: list[str], labels: list[str]) -> Path:
    rows = ["text,label", *(f"{t.replace(',', '，')},{y}" for t, y in zip(texts, labels, strict=True))]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


NAMES = {NEG: "负面", NEU: "中性", POS: "正面"}
ENGLISH = {NEG: "negative", NEU: "neutral", POS: "positive"}


def test_labelled_files_in_any_convention_read_the_same(tmp_path: Path) -> None:
    texts, labels = bank_texts(30, seed=6)
    a = read_labelled(_write(tmp_path / "a.csv", texts, [NAMES[y] for y in labels]), "text", "label")
    b = read_labelled(_write(tmp_path / "b.csv", texts, [ENGLISH[y].upper() for y in labels]), "text", "label")
    assert a == b == (texts, labels)


def test_evaluate_files_in_three_classes(tmp_path: Path) -> None:
    train, train_y = bank_texts(800, seed=7)
    test, test_y = bank_texts(200, seed=8)
    train_file = _write(tmp_path / "train.csv", train, [ENGLISH[y] for y in train_y])
    test_file = _write(tmp_path / "test.csv", test, [NAMES[y] for y in test_y])
    result = evaluate_files(test_file, "text", "label", [train_file], snownlp=False)
    assert result["classes"] == ["negative", "neutral", "positive"]
    assert json.loads(json.dumps(result))["n"] == len(test)
    for name in ("voc", "voc_without_adaptation", "baseline"):
        assert set(result[name]) == {"accuracy", "macro_f1", "negative_f1", "roc_auc"}
    assert result["voc"]["macro_f1"] >= 0.85 and result["voc"]["negative_f1"] >= 0.85


def test_evaluate_files_in_folds_and_with_no_training(tmp_path: Path) -> None:
    texts, labels = bank_texts(1800, seed=9)
    path = _write(tmp_path / "all.csv", texts, [ENGLISH[y] for y in labels])
    folded = evaluate_files(path, "text", "label", [], snownlp=False, folds=3)
    assert folded["folds"] == 3 and folded["n"] == len(texts)
    assert folded["voc"]["macro_f1"] >= 0.75
    lexicon_only = evaluate_files(path, "text", "label", [], snownlp=False)
    assert "baseline" not in lexicon_only  # nothing to train it on
    assert lexicon_only["voc"] == lexicon_only["voc_without_adaptation"]
    assert lexicon_only["voc"]["macro_f1"] < folded["voc"]["macro_f1"]


def test_workspace_training_adds_an_external_labelled_file(tmp_path: Path) -> None:
    from builders import build_workspace
    from typer.testing import CliRunner

    from voc.cli import app
    from voc.enrich import sentiment_dir

    built = build_workspace(tmp_path / "ws")
    texts, labels = bank_texts(800, seed=10)
    path = _write(tmp_path / "annotated.csv", texts, [NAMES[y] for y in labels])
    out = CliRunner().invoke(app, ["sentiment", "train", "--home", str(built.ws.home), "--train-file", str(path),
                                   "--json"])
    assert out.exit_code == 0, out.output
    info = json.loads(out.output)
    assert info["external"] == len(texts) and info["classes"] == 3 and not info["lexicon_only"]
    loaded = SentimentModel.load(sentiment_dir(built.ws.models_dir))
    assert loaded.classes_ == [NEG, POS, NEU] and loaded.n_train_ >= len(texts)
