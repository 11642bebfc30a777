"""Character bigrams: keyword search still finds a record when jieba cut its words differently from the query."""

from __future__ import annotations

from pathlib import Path

from voc.schema import Record
from voc.search import fusion_weight
from voc.store import Store
from voc.text.grams import char_grams


def test_char_grams_of_cjk_runs_latin_words_and_no_placeholders() -> None:
    assert char_grams("花呗怎么还款？") == "花呗 呗怎 怎么 么还 还款"
    assert char_grams("APP 6.2版闪退") == "app 6 2 版闪 闪退"
    assert char_grams("我的电话[手机号]") == "我的 的电 电话"
    assert char_grams("好") == "好" and char_grams("！！") == ""


def _record(n: int, text: str, tokens: str) -> Record:
    return Record(source="t", source_id=str(n), channel="social", created_at="2026-06-01T10:00:00+08:00",
                  text=text, tokens=tokens)


def test_a_record_cut_into_other_words_is_found_by_its_bigrams(tmp_path: Path) -> None:
    with Store.open(tmp_path / "voc.db") as store:
        # jieba kept 花呗还款 as one word here; a customer asking "花呗 怎么 还款" shares no word with it
        store.records.upsert_records([_record(1, "花呗还款一直失败", "花呗还款 一直 失败"),
                              _record(2, "网点排队太久", "网点 排队 太久")])
        words_only = store.search.keyword_search(["花呗", "还款"])
        with_grams = store.search.keyword_search(["花呗", "还款"], grams=char_grams("花呗怎么还款").split())
        first = store.records.rids_for([_record(1, "", "").id])
        assert words_only == [] and [rid for rid, _ in with_grams] == list(first.values())


def test_records_stored_before_bigrams_get_them_once(tmp_path: Path) -> None:
    with Store.open(tmp_path / "voc.db") as store:
        store.records.upsert_records([_record(1, "花呗还款一直失败", "花呗还款 一直 失败")])
        with store.transaction() as cur:  # what a workspace migrated from an older voc holds
            cur.execute("UPDATE feedback SET grams = ''")
        assert store.search.keyword_search([], grams=["还款"]) == []
        assert store.records.backfill_grams() == 1 and store.records.backfill_grams() == 0
        assert len(store.search.keyword_search([], grams=["还款"])) == 1


class _Declares:
    fusion_weight, fusion_weight_long = 0.05, 0.7


def test_the_semantic_share_grows_with_the_query_length() -> None:
    short, long = fusion_weight(_Declares(), "花呗怎么还款"), fusion_weight(_Declares(), "很" * 40)
    assert short == 0.05 and long == 0.7
    assert short < fusion_weight(_Declares(), "很" * 20) < long
    assert fusion_weight(object(), "任何长度的问题") == 0.8  # an embedder nobody measured: the default
