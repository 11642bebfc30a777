"""The shipped lexicons are data the bank edits by hand, so these tests guard their invariants."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

import jieba
import pytest
import yaml

from voc.text.segment import Segmenter, get_segmenter, read_lexicon

LEXICONS = Path(__file__).resolve().parents[1] / "lexicons"
BANK_TERMS = LEXICONS / "bank_terms.txt"
STOPWORDS = LEXICONS / "stopwords.txt"
TAXONOMY = LEXICONS / "process_taxonomy.yaml"

STEP_IDS = [
    "account_opening",
    "transfer_limits",
    "credit_card",
    "loans",
    "wealth_sales",
    "branch_counter",
    "hotline",
    "mobile_app",
    "app_login",
    "app_verification",
    "app_stability",
    "account_security",
    "fees",
    "marketing",
    "other",
]

KEY_COMPOUNDS = [
    "转账限额",
    "手机银行",
    "信用卡分期",
    "数字人民币",
    "养老金账户",
    "大额存单",
    "非柜面",
    "掌上银行",
]


def _terms() -> list[str]:
    return [line.split()[0] for line in read_lexicon(BANK_TERMS)]


def _steps() -> list[dict]:
    return yaml.safe_load(TAXONOMY.read_text(encoding="utf-8"))["steps"]


def _all_keywords(step: dict) -> list[str]:
    return [str(k) for k in step.get("keywords", []) + step.get("weak_keywords", [])]


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return get_segmenter()


def test_bank_terms_has_at_least_400_unique_terms() -> None:
    terms = _terms()
    dupes = [t for t, n in Counter(terms).items() if n > 1]
    assert dupes == []
    assert len(set(terms)) >= 400


def test_bank_terms_lines_follow_jieba_user_dict_format() -> None:
    for line in read_lexicon(BANK_TERMS):
        parts = line.split()
        assert 1 <= len(parts) <= 3, line
        if len(parts) == 3:
            assert parts[1].isdigit() and parts[2].isalpha(), line
        elif len(parts) == 2:
            assert parts[1].isdigit() or parts[1].isalpha(), line


@pytest.mark.parametrize("word", KEY_COMPOUNDS)
def test_key_compounds_stay_one_token(segmenter: Segmenter, word: str) -> None:
    assert segmenter.cut(word) == [word]
    assert segmenter.cut(f"我的{word}有问题").count(word) == 1


def test_plain_jieba_splits_the_key_compounds() -> None:
    jieba.setLogLevel(logging.WARNING)
    plain = jieba.Tokenizer()
    split = [w for w in KEY_COMPOUNDS if plain.lcut(w, HMM=True) != [w]]
    assert len(split) >= len(KEY_COMPOUNDS) - 1, (
        f"plain jieba already keeps {set(KEY_COMPOUNDS) - set(split)}"
    )


def test_taxonomy_has_its_steps_in_order() -> None:
    data = yaml.safe_load(TAXONOMY.read_text(encoding="utf-8"))
    assert data["version"] == 1
    steps = data["steps"]
    assert [s["id"] for s in steps] == STEP_IDS
    for step in steps:
        assert step["name"] and step["description"]
        assert step["id"].isascii()


def test_every_real_step_has_enough_keywords_and_other_has_none() -> None:
    for step in _steps():
        if step["id"] == "other":
            assert step["keywords"] == []
        else:
            assert 10 <= len(step["keywords"]) <= 40, step["id"]


def test_no_keyword_is_claimed_by_two_steps() -> None:
    owners: dict[str, list[str]] = {}
    for step in _steps():
        for kw in _all_keywords(step):
            owners.setdefault(kw, []).append(step["id"])
    shared = {kw: ids for kw, ids in owners.items() if len(ids) > 1}
    assert shared == {}


def test_every_keyword_is_a_single_token(segmenter: Segmenter) -> None:
    bad = [kw for step in _steps() for kw in _all_keywords(step) if segmenter.cut(kw) != [kw]]
    assert bad == []


def test_stopwords_are_many_and_contain_no_bank_term_or_keyword() -> None:
    stopwords = read_lexicon(STOPWORDS)
    assert len(stopwords) >= 300
    assert len(set(stopwords)) == len(stopwords)
    keywords = {kw for step in _steps() for kw in _all_keywords(step)}
    assert set(stopwords) & set(_terms()) == set()
    assert set(stopwords) & keywords == set()


def test_stopwords_keep_content_words_for_keywords(segmenter: Segmenter) -> None:
    words = segmenter.words("您好，请问我的手机银行转账限额怎么调整？谢谢")
    assert "手机银行" in words and "转账限额" in words
    assert not {"您好", "请问", "我", "的", "怎么", "谢谢"} & set(words)


def test_a_missing_lexicon_file_is_an_error_not_an_empty_list(tmp_path: Path) -> None:
    from voc.errors import ConfigError
    from voc.text.segment import LEXICON_DIR

    with pytest.raises(ConfigError, match=r"lexicon file missing: .*bank_terms\.txt"):
        read_lexicon(tmp_path / "bank_terms.txt")
    assert (LEXICON_DIR / "bank_terms.txt").exists() and LEXICON_DIR.name == "lexicons"
