"""Hybrid search, filters, "more like this", index upkeep and erasure on a small built workspace."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from builders import PII_PHONE, build_workspace

from voc import vectors
from voc.errors import VocError
from voc.schema import Record
from voc.search import fuse, highlight, more_like_this, search
from voc.store import Filters, Store
from voc.text import clean


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory):
    built = build_workspace(Path(tmp_path_factory.mktemp("search")) / "ws")
    store = Store.open(built.ws.db_path)
    embedder = vectors.workspace_embedder(built.ws, store)
    assert vectors.update_index(built.ws, store, embedder) == store.records.count_records()
    yield built, store, embedder
    store.close()


def test_fuse_mixes_scaled_scores_over_the_union() -> None:
    keyword = [(1, 8.0), (2, 4.0)]
    semantic = [(3, 0.9), (1, 0.7)]
    kw_all = {1: 8.0, 2: 4.0}  # 3 matches no query word
    sem_all = {3: 0.9, 1: 0.7, 2: 0.5}
    fused = fuse(keyword, semantic, kw_all, sem_all, weight=0.6)
    scores = {rid: s for rid, s, _ in fused}
    # bm25 / best bm25; cosine min-max over the candidates (0.5 .. 0.9)
    assert scores[1] == pytest.approx(0.6 * 0.5 + 0.4 * 1.0)
    assert scores[2] == pytest.approx(0.6 * 0.0 + 0.4 * 0.5)
    assert scores[3] == pytest.approx(0.6 * 1.0)
    assert [r for r, _, _ in fused] == [1, 3, 2]
    assert fused[0][2] == {"keyword": 1, "semantic": 2}
    only_semantic = fuse([], semantic, {}, dict(semantic), weight=0.0)
    assert [r for r, _, _ in only_semantic] == [3, 1], "no keyword match: the semantic list decides"


def test_highlight_escapes_and_marks() -> None:
    assert highlight("转账<限额>太低", ["限额"]) == "转账&lt;<mark>限额</mark>&gt;太低"


def test_hybrid_search_finds_the_theme(env) -> None:
    built, store, embedder = env
    hits = search(store, vectors.load_index(built.ws), embedder, "转账限额太低", k=10)
    assert len(hits) == 10
    assert sum("限额" in h.text for h in hits) >= 9
    assert hits[0].snippet.count("<mark>") >= 1 and hits[0].id and hits[0].source_id


def test_filters_combine(env) -> None:
    built, store, embedder = env
    index = vectors.load_index(built.ws)
    flt = Filters(channel="call", since="2026-03-01", until="2026-04-30")
    hits = search(store, index, embedder, "闪退", k=50, filters=flt)
    assert hits and all(h.channel == "call" and "2026-03-01" <= h.created_at[:10] <= "2026-04-30" for h in hits)
    expected = sum(1 for r in built.records if r.channel == "call" and r.month in ("2026-03", "2026-04")
                   and "闪退" in r.text)
    keyword = search(store, index, embedder, "闪退", k=200, mode="keyword", filters=flt)
    assert len(keyword) == expected
    narrower = search(store, index, embedder, "闪退", k=200, mode="keyword",
                      filters=Filters(channel="call", since="2026-03-01", until="2026-03-31"))
    assert 0 < len(narrower) < len(keyword)


def test_keyword_finds_what_semantic_misses_and_fusion_keeps_both(env) -> None:
    built, store, embedder = env
    index = vectors.load_index(built.ws)
    rare = clean("柜员把我的印鉴卡弄丢了")
    rec = Record(source="test", source_id="rare", channel="rating", created_at="2026-06-03T10:00:00+08:00",
                 text=rare.text, tokens=rare.tokens, rating=1.0, rating_scale="star5")
    store.records.upsert_records([rec])
    vectors.update_index(built.ws, store, embedder)  # incremental add
    index = vectors.load_index(built.ws)
    keyword = [h.id for h in search(store, index, embedder, "印鉴卡", k=5, mode="keyword")]
    semantic = [h.id for h in search(store, index, embedder, "印鉴卡", k=5, mode="semantic")]
    hybrid = [h.id for h in search(store, index, embedder, "印鉴卡", k=10)]
    assert keyword[0] == rec.id
    assert rec.id in hybrid and set(semantic) <= set(hybrid)


def test_more_like_this(env) -> None:
    built, store, _ = env
    index = vectors.load_index(built.ws)
    source = next(r for r in built.records if built.theme_of.get(r.id) == 1)
    hits = more_like_this(store, index, source.id, k=5)
    assert len(hits) == 5 and source.id not in [h.id for h in hits]
    assert sum("闪退" in h.text for h in hits) >= 3


def test_empty_query_is_explained(env) -> None:
    built, store, embedder = env
    with pytest.raises(VocError, match="empty query"):
        search(store, vectors.load_index(built.ws), embedder, "  ")


def test_verify_repairs_and_forget_erases(env) -> None:
    built, store, embedder = env
    index = vectors.load_index(built.ws)
    victim = built.records[0]
    rid = store.records.rids_for([victim.id])[victim.id]
    index.remove(np.array([rid]))
    index.save(built.ws.index_dir, fingerprint=embedder.fingerprint)
    report = vectors.verify_index(built.ws, store, repair=True)
    assert report["missing"] == 1 and report["repaired"]
    assert vectors.verify_index(built.ws, store, repair=False)["ok"]
    pii = next(r for r in built.records if "[手机号]" in r.text)
    out = vectors.forget(built.ws, store, record_id=pii.id)
    assert out["records"] == 1 and not store.records.has_record(pii.id)
    assert not vectors.load_index(built.ws).contains(store.records.rids_for([pii.id]).get(pii.id, -1))
    assert PII_PHONE not in str(store.query("SELECT * FROM erasures"))
