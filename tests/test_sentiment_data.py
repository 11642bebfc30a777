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
        assert set(result[name]) == {"accuracy", "macro_f1", "roc_auc"}
    assert result["voc"]["accuracy"] > result["snownlp"]["accuracy"]
