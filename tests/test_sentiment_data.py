"""Cross-domain evaluation on the shared labelled review data (slow; skipped when ../shared/data is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from voc.sentiment.evaluate import evaluate, read_labelled

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.slow
def test_cross_domain_evaluate_on_waimai() -> None:
    if not (DATA / "waimai_10k.csv").exists():
        pytest.skip("../shared/data is absent")
    texts, labels = read_labelled(DATA / "waimai_10k.csv", "review", "label")
    train, train_labels = read_labelled(DATA / "online_shopping_9_cats.csv", "review", "label")
    # Every 4th waimai row and every 3rd shopping row keep the test to about a minute.
    result = evaluate(texts[::4], labels[::4], train[::3], train_labels[::3])
    assert set(result) >= {"n", "voc", "snownlp", "baseline"}
    for name in ("voc", "snownlp", "baseline"):
        assert set(result[name]) == {"accuracy", "macro_f1", "negative_f1", "roc_auc"}
    assert result["voc"]["accuracy"] > result["snownlp"]["accuracy"]


@pytest.mark.slow
def test_lexicon_alone_finds_bank_forum_complaints_better_than_snownlp() -> None:
    """Three classes with no training at all: the lexicon and rules against SnowNLP on real bank posts."""
    if not (DATA / "bank_forum_sentiment.csv").exists():
        pytest.skip("../shared/data is absent")
    texts, labels = read_labelled(DATA / "bank_forum_sentiment.csv", "text", "label")
    result = evaluate(texts[::3], labels[::3], [], [])
    assert result["classes"] == ["negative", "neutral", "positive"] and "baseline" not in result
    assert result["voc"]["negative_f1"] > result["snownlp"]["negative_f1"] + 0.05
    assert result["voc"]["macro_f1"] > result["snownlp"]["macro_f1"]
