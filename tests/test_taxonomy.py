from __future__ import annotations

from pathlib import Path

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
        ("APP一直闪退", "app_stability"),
        ("网点排队排了两个小时", "branch_counter"),
        ("信用卡年费莫名其妙扣了", "credit_card"),
        ("天天接到推销保险的营销电话", "marketing"),
    ],
)
def test_rules_map_complaints_to_steps(tax: Taxonomy, text: str, step: str) -> None:
    assert tax.classify([get_segmenter().words(text)]) == [step]


def test_no_rule_and_no_vectors_is_other(tax: Taxonomy) -> None:
    assert tax.classify([["你好", "谢谢"]]) == ["other"]


def test_a_fallback_fills_only_the_records_no_rule_matches(tax: Taxonomy) -> None:
    seen: list[list[int]] = []

    def fallback(todo: list[int]) -> list[str | None]:
        seen.append(todo)
        return ["hotline", None]

    assert tax.classify([["嗯"], ["转账"], ["哦"]], fallback) == ["hotline", "transfer_limits", "other"]
    assert seen == [[0, 2]]


def test_the_catch_all_is_shown_as_unclassified(tax: Taxonomy) -> None:
    assert tax.name("other") == "未归类" and tax.name(None) == "未归类"


def test_a_sub_step_beats_its_parent(tax: Taxonomy) -> None:
    words = get_segmenter().words
    assert tax.match(words("手机银行收不到验证码"))[0] == "app_verification"
    assert tax.match(words("手机银行一直闪退"))[0] == "app_stability"
    assert tax.match(words("手机银行登录不上"))[0] == "app_login"
    assert tax.match(words("手机银行界面太乱"))[0] == "mobile_app"
    assert tax.root("app_login") == "mobile_app" and tax.root("fees") == "fees"


def test_a_parent_must_be_a_real_top_level_step(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("steps:\n  - {id: app, name: APP, keywords: [app]}\n"
                    "  - {id: login, name: 登录, parent: nowhere, keywords: [登录]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'login' names unknown parent 'nowhere'"):
        Taxonomy.load(path)
    path.write_text("steps:\n  - {id: app, name: APP, keywords: [app]}\n"
                    "  - {id: login, name: 登录, parent: app, keywords: [登录]}\n"
                    "  - {id: face, name: 刷脸, parent: login, keywords: [刷脸]}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="'face' has parent 'login', which is itself a sub-step"):
        Taxonomy.load(path)


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
