from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voc.errors import ConfigError
from voc.taxonomy import Taxonomy
from voc.text.segment import get_segmenter


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return Taxonomy.load()


@pytest.mark.parametrize(
    ("text", "step"),
    [
        ("手机银行转账限额太低了，想调高一点", "transfer_limits"),
        ("APP一直闪退登录不上", "mobile_app"),
        ("网点排队排了两个小时", "branch_counter"),
        ("信用卡年费莫名其妙扣了", "credit_card"),
        ("天天接到推销保险的营销电话", "marketing"),
    ],
)
def test_rules_map_complaints_to_steps(tax: Taxonomy, text: str, step: str) -> None:
    assert tax.classify([get_segmenter().words(text)]) == [step]


def test_no_rule_and_no_vectors_is_other(tax: Taxonomy) -> None:
    assert tax.classify([["你好", "谢谢"]]) == ["other"]


def test_embedding_similarity_backs_up_the_rules(tax: Taxonomy) -> None:
    step_vecs = np.eye(len(tax.steps), dtype=np.float32)
    rec = np.zeros((2, len(tax.steps)), dtype=np.float32)
    rec[0, tax.ids.index("hotline")] = 1.0
    rec[1, tax.ids.index("loans")] = 0.1  # too weak a similarity
    assert tax.classify([["嗯"], ["嗯"]], rec, step_vecs) == ["hotline", "other"]


def test_user_edits_take_effect_and_mistakes_are_named(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("steps:\n  - id: queue\n    name: 排队\n    keywords: [排队]\n", encoding="utf-8")
    tax = Taxonomy.load(path)
    assert tax.ids == ["queue", "other"] and tax.match(["排队"]) == ("queue", 1.0)
    path.write_text(
        "steps:\n  - {id: a, name: A, keywords: [排队]}\n  - {id: b, name: B, weak_keywords: [排队]}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="'排队' belongs to both 'a' and 'b'"):
        Taxonomy.load(path)
    path.write_text("steps: 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="steps"):
        Taxonomy.load(path)
