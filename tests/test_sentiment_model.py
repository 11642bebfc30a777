"""The rating-calibrated model on a synthetic bank set: training, fallback, save/load (fast, offline)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from voc.errors import IngestError, NotFittedError
from voc.sentiment import LexiconScorer, SentimentModel, evaluate_files, weak_label
from voc.sentiment.labels import NEU
from voc.text.segment import get_segmenter

# Complaints and praise in the bank's own words, many of which no general lexicon knows.
BAD = [
    "柜台只开了一个窗口",
    "理财经理反复推销保险",
    "转账要验证好几遍",
    "大额取现还要提前预约",
    "网点搬迁也没通知",
    "账单日被改了也没短信",
    "信用卡年费被扣了",
    "房贷提前还款手续繁琐",
    "人工客服根本打不进去",
    "积分莫名其妙清零了",
    "叫号系统乱跳号",
    "ATM吞卡了",
    "挂失补卡要等十天",
    "验证码一直收不到",
    "贷款审批拖了一个月",
]
GOOD = [
    "大堂经理主动引导填单",
    "柜员帮我当场补办了卡",
    "手机银行转账秒到",
    "经理上门帮老人办理",
    "理财收益稳稳到账",
    "分期利率比别家低",
    "积分换了不少礼品",
    "工作人员很耐心地讲解",
    "开户十分钟就办完了",
    "客服一次就帮我解决了",
    "网点环境整洁有饮水",
    "短信提醒很及时",
    "额度调整当天生效",
    "取号后几乎不用等",
    "退休金到账准时",
]
PREFIX = ["", "今天去网点办业务，", "用手机银行的时候，", "打客服电话，", "上周办信用卡，"]
SUFFIX = ["", "。", "！", "，希望改进。", "，总体就这样。", "，说一下感受。"]


def bank_records(n: int, seed: int) -> list[tuple[str, float]]:
    """(text, star rating): 1-2 stars for complaints, 4-5 for praise, 3 stars mixed."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        good = rng.random() < 0.5
        parts = rng.sample(GOOD if good else BAD, 2)
        text = rng.choice(PREFIX) + "，".join(parts) + rng.choice(SUFFIX)
        rating = rng.choice([4, 5]) if good else rng.choice([1, 2])
        if rng.random() < 0.1:
            rating = 3
        out.append((text, float(rating)))
    return out


def rated(records: list[tuple[str, float]]) -> tuple[list[str], list[int]]:
    """The two-class part: 3-star (neutral) records are left out."""
    pairs = [(t, weak_label(r, "star5")) for t, r in records]
    return [t for t, y in pairs if y != NEU], [y for _, y in pairs if y != NEU]


@pytest.fixture(scope="module")
def data() -> tuple[list[str], list[int], list[str], list[int]]:
    train = rated(bank_records(700, seed=1))
    test = rated(bank_records(300, seed=2))
    return (*train, *test)


@pytest.fixture(scope="module")
def model(data) -> SentimentModel:
    texts, labels, _, _ = data
    return SentimentModel(min_per_class=100).fit(texts, labels)


def accuracy(scores: list[float], labels: list[int]) -> float:
    return float(np.mean([(s > 0) == bool(y) for s, y in zip(scores, labels, strict=True)]))


def test_model_beats_lexicon_on_held_out_bank_feedback(model: SentimentModel, data) -> None:
    _, _, texts, labels = data
    assert not model.lexicon_only_
    voc_acc = accuracy([r.score for r in model.score_many(texts)], labels)
    lex_acc = accuracy([r.score for r in LexiconScorer().score_many(texts)], labels)
    assert voc_acc > lex_acc
    assert voc_acc >= 0.95


def test_results_carry_cues_and_labels(model: SentimentModel) -> None:
    r = model.score("柜台只开了一个窗口，ATM吞卡了")
    assert -1.0 <= r.score <= 1.0
    assert r.label == "负面"
    assert r.cues and all(isinstance(c, str) and c for c in r.cues)


def test_save_load_round_trip_gives_identical_scores(model: SentimentModel, data, tmp_path: Path) -> None:
    _, _, texts, _ = data
    model.save(tmp_path / "m")
    assert {"config.json", "manifest.json", "coef.npy"} <= {p.name for p in (tmp_path / "m").iterdir()}
    assert not list((tmp_path / "m").glob("*.pkl"))
    loaded = SentimentModel.load(tmp_path / "m")
    assert loaded.fingerprint_ == model.fingerprint_
    assert loaded.score_many(texts[:50]) == model.score_many(texts[:50])


def test_too_few_ratings_fall_back_to_lexicon(data, tmp_path: Path) -> None:
    texts, labels, _, _ = data
    small = SentimentModel(min_per_class=200).fit(texts[:40], labels[:40])
    assert small.lexicon_only_
    assert small.score("非常满意，很专业").label == "正面"
    assert small.score("太不专业了，一直推诿").label == "负面"
    loaded = SentimentModel.load(small.save(tmp_path / "lex"))
    assert loaded.score("不满意") == small.score("不满意")


def test_unfitted_model_raises() -> None:
    with pytest.raises(NotFittedError):
        SentimentModel().score("满意")


def _write_csv(path: Path, texts: list[str], labels: list[int]) -> Path:
    rows = ["text,label", *(f"{t.replace(',', '，')},{y}" for t, y in zip(texts, labels, strict=True))]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_evaluate_files_reports_every_scorer_on_the_same_rows(data, tmp_path: Path) -> None:
    texts, labels, test_texts, test_labels = data
    train = _write_csv(tmp_path / "train.csv", texts, labels)
    test = _write_csv(tmp_path / "test.csv", test_texts, test_labels)
    result = evaluate_files(test, "text", "label", [train], snownlp=False)
    assert result["n"] == len(test_texts)
    assert result["n_train"] < len(texts)  # train rows that also occur in the test file are dropped
    assert result["classes"] == ["negative", "positive"]
    for name in ("voc", "baseline"):
        assert set(result[name]) == {"accuracy", "macro_f1", "negative_f1", "roc_auc"}
    assert result["voc"]["accuracy"] >= 0.95


def test_evaluate_files_names_a_missing_column(data, tmp_path: Path) -> None:
    texts, labels, _, _ = data
    path = _write_csv(tmp_path / "t.csv", texts, labels)
    with pytest.raises(IngestError, match="review"):
        evaluate_files(path, "review", "label", [path], snownlp=False)


def test_pre_segmented_tokens_give_the_same_scores(model: SentimentModel, data) -> None:
    _, _, texts, _ = data
    tokens = [get_segmenter().cut(t) for t in texts[:20]]
    assert model.score_many(texts[:20], tokens=tokens) == model.score_many(texts[:20])


def test_inquiries_without_complaint_cues_stay_neutral(model: SentimentModel) -> None:
    from voc.sentiment.model import is_inquiry

    assert is_inquiry("请问怎么开通手机银行") and is_inquiry("大额存单利率多少?") and not is_inquiry("排队太久了")
    calm = model.score_many(["请问怎么开通手机银行?", "想咨询一下,大额存单利率多少呢?"])
    assert all(r.label == "中性" for r in calm)
    angry = model.score_many(["APP闪退了怎么办?", "怎么又乱扣费，太差了"])
    assert all(r.label == "负面" for r in angry)


def test_fast_tfidf_matches_sklearn_transform() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from voc.sentiment.features import char_grams, tfidf

    texts = ["转账限额太低了  太低", "APP闪退，Login失败", "服务很好很耐心", "", "好"]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit(texts[:3])
    fast = tfidf(vec, [char_grams(t, 1, 3) for t in texts]).toarray()
    assert np.allclose(fast, vec.transform(texts).toarray())
    assert fast[0].any() and not fast[3].any()


def test_past_max_train_a_stratified_sample_trains_and_keeps_the_class_mix() -> None:
    from voc.sentiment.model import stratified_sample

    y = np.array([0] * 300 + [1] * 600 + [2] * 100)
    keep = stratified_sample(y, 500, random_state=0)
    assert len(keep) == 500 and len(set(keep.tolist())) == 500
    assert np.bincount(y[keep]).tolist() == [150, 300, 50]
    texts, labels = rated(bank_records(700, seed=5))
    capped = SentimentModel(min_per_class=50, max_train=400).fit(texts, labels)
    full = SentimentModel(min_per_class=50).fit(texts, labels)
    assert capped.n_train_ == 400 and full.n_train_ == len(texts)
    assert capped.score("验证码一直收不到，客服也打不通").score < 0 < capped.score("柜员很耐心，办得很快").score
