"""Praise and questions as their own views: never complaints, grouped on demand, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import MONTHS, PRAISE, build_workspace
from test_topics_labels import embed

from voc import pipeline, vectors
from voc.enrich import enrich
from voc.errors import VocError
from voc.schema import Record
from voc.sentiment import LexiconScorer
from voc.store import Store
from voc.taxonomy import Taxonomy
from voc.text import clean
from voc.views import group_view, view_rows

QUESTIONS = ["请问手机银行怎么开通转账功能？", "想问一下信用卡账单日在哪里改", "请问网点周末几点开门？",
             "如何修改预留手机号？", "请问个人养老金账户怎么开？"]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory):
    built = build_workspace(Path(tmp_path_factory.mktemp("views")) / "ws")
    store = Store.open(built.ws.db_path)
    month = MONTHS[-1]
    records = [Record(source="questions", source_id=str(i), channel="social", text=clean(q).text,
                      tokens=clean(q).tokens, created_at=f"{month}-0{1 + i % 9}T10:00:00+08:00")
               for i, q in enumerate(QUESTIONS * 5)]
    store.records.upsert_records(records)
    enrich(store, LexiconScorer(), Taxonomy.load())
    yield built, store, month
    store.close()


def test_praise_is_positive_and_no_complaint_questions_are_inquiries(env) -> None:
    _, store, month = env
    praise = view_rows(store, month, "praise")
    assert praise and {r["text"] for r in praise} <= {clean(p).text for p in PRAISE}
    questions = view_rows(store, month, "questions")
    assert {r["text"] for r in questions} == {clean(q).text for q in QUESTIONS}
    complaints = {r["id"] for r in store.themes.complaint_rows(month)}
    assert complaints and not complaints & {r["id"] for r in praise + questions}


def test_groups_have_labels_and_examples_from_their_records(env) -> None:
    _, store, month = env
    rows = view_rows(store, month, "questions")
    groups = group_view(rows, lambda texts: embed(list(texts))[0])
    texts = {r["text"] for r in rows}
    assert groups and all(g["label"] and g["examples"] and set(g["examples"]) <= texts for g in groups)
    assert sum(g["size"] for g in groups) <= len(rows)
    assert group_view(rows[:3], lambda texts: embed(list(texts))[0])[0]["size"] == 3  # too few: listed, not grouped


def test_month_view_needs_an_embedder_and_writes_nothing(env) -> None:
    built, store, month = env
    with pytest.raises(VocError, match="voc enrich"):
        pipeline.month_view(built.ws, store, "praise", month)
    vectors.workspace_embedder(built.ws, store)
    before = sorted((p, p.stat().st_mtime_ns) for p in built.ws.models_dir.rglob("*"))
    data = pipeline.month_view(built.ws, store, "praise", month)
    assert data["name"] == "表扬" and data["records"] == len(view_rows(store, month, "praise"))
    assert sorted((p, p.stat().st_mtime_ns) for p in built.ws.models_dir.rglob("*")) == before
    with pytest.raises(VocError, match="unknown view"):
        pipeline.month_view(built.ws, store, "rants", month)
