"""The dashboard pages rendered with Streamlit's AppTest on the builders workspace, numbers checked independently."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import MONTHS, Built, build_workspace
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "streamlit_app.py")
JUNE = MONTHS[-1]
PAGES = ("overview", "themes", "search", "calls", "channels", "health")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_workspace(tmp_path_factory.mktemp("dash") / "ws")


@pytest.fixture
def app(built: Built, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("VOC_HOME", str(built.ws.home))
    yield AppTest.from_file(APP, default_timeout=60)


def _page(at: AppTest, page: str) -> AppTest:
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _markdown(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _count(at: AppTest, pattern: str) -> int:
    text = next(v for v in _markdown(at) if re.search(pattern, v))
    return int(re.search(pattern, text).group(1).replace(",", ""))


def test_every_page_renders_without_exception(app: AppTest) -> None:
    app.run()
    assert not app.exception
    for page in PAGES:
        _page(app, page)
        assert app.title[0].value


def test_overview_volume_equals_month_record_count(app: AppTest, built: Built) -> None:
    app.run()
    assert app.selectbox(key="overview_month").value == JUNE
    assert _metric(app, "反馈量") == str(sum(r.month == JUNE for r in built.records))
    app.selectbox(key="overview_month").select("2026-03").run()
    assert _metric(app, "反馈量") == str(sum(r.month == "2026-03" for r in built.records))
    assert len(app.get("vega_lite_chart")) == 2


def test_overview_lists_flagged_themes(app: AppTest) -> None:
    app.run()
    table = app.dataframe[0].value
    assert set(table["主题"]) == {"养老金账户 · 扣款", "转账限额 · 调额", "闪退 · 登录"}
    assert table["状态"].iloc[0] == "新出现"


def test_picking_a_flagged_theme_shows_its_verbatims(app: AppTest, built: Built) -> None:
    _page(app, "themes")
    pick = app.selectbox(key="themes_pick")
    assert pick.value == 2  # the emerging theme is the most severe
    examples = [v for v in _markdown(app) if "<mark>" in v]
    assert examples and all("养老金账户" in v for v in examples)
    pick.select(1).run()
    june_resolved = [r for r in built.records if r.month == JUNE and built.theme_of.get(r.id) == 1]
    shown = [v for v in _markdown(app) if "<mark>闪退</mark>" in v]
    assert len(shown) == len(june_resolved) == 2
    assert _metric(app, "状态") == "整改见效"


def test_theme_link_opens_search_with_the_theme_preset(app: AppTest, built: Built) -> None:
    _page(app, "themes")
    app.button(key="themes_to_search").click().run()
    assert not app.exception
    assert app.title[0].value == "检索"
    assert app.selectbox(key="s_theme").value == 2
    expected = sum(r.month == JUNE and built.theme_of.get(r.id) == 2 for r in built.records)
    assert _count(app, r"共 ([\d,]+) 条记录") == expected


def test_search_filter_narrows_results_and_offers_csv(app: AppTest) -> None:
    _page(app, "search")
    assert app.radio(key="s_mode").options == ["关键词"]  # no vector index in the builders workspace
    app.selectbox(key="s_k").select(100)
    app.text_input(key="s_query").input("转账限额").run()
    everywhere = _count(app, r"找到 (\d+) 条结果")
    assert any("<mark>转账限额</mark>" in v for v in _markdown(app))
    assert app.get("download_button")
    app.selectbox(key="s_channel").select("call").run()
    calls = _count(app, r"找到 (\d+) 条结果")
    assert 0 < calls < everywhere


def test_search_without_hits_says_so(app: AppTest) -> None:
    _page(app, "search")
    app.text_input(key="s_query").input("火星殖民贷款").run()
    assert not app.exception
    assert any("没有找到匹配的记录" in i.value for i in app.info)


def test_calls_page_shows_transcript_and_sentiment(app: AppTest) -> None:
    _page(app, "calls")
    assert len(app.get("chat_message")) == 2
    assert len(app.get("vega_lite_chart")) == 1
    assert _metric(app, "情感") == "负面"
    app.toggle(key="calls_escalated").set_value(True).run()
    assert any("没有升级通话" in i.value for i in app.info)


def test_channels_crosstab_counts_flagged_complaints(app: AppTest, built: Built) -> None:
    _page(app, "channels")
    flagged_open = sum(r.month == JUNE and built.theme_of.get(r.id) in (0, 2) for r in built.records)
    assert _count(app, r"被标记的主题：([\d,]+) 条") == flagged_open
    app.selectbox(key="ch_channel").select("call").run()
    calls = sum(r.month == JUNE and r.channel == "call" and built.theme_of.get(r.id) in (0, 2) for r in built.records)
    assert _count(app, r"被标记的主题：([\d,]+) 条") == calls < flagged_open


def test_health_counts_records_and_explains_missing_index(app: AppTest, built: Built) -> None:
    _page(app, "health")
    assert _metric(app, "记录数") == f"{len(built.records):,}"
    assert any("还没有向量索引" in i.value for i in app.info)


def test_report_button_offers_downloads(app: AppTest) -> None:
    app.run()
    app.button(key="build_report").click().run()
    assert not app.exception
    labels = [b.proto.label for b in app.get("download_button")]
    assert "下载 HTML 报告" in labels


def test_empty_workspace_shows_hints_not_tracebacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from voc.workspace import Workspace

    ws = Workspace.init(tmp_path / "empty")
    monkeypatch.setenv("VOC_HOME", str(ws.home))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("还没有数据" in i.value for i in at.info)
    for page in PAGES[1:]:
        _page(at, page)
        assert at.info, page


def test_missing_workspace_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOC_HOME", str(tmp_path / "nowhere"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "无法打开工作区" in at.info[0].value


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The builders workspace with voc's own corpus embedder and a vector index, so semantic search is on."""
    from voc import vectors
    from voc.store import Store

    b = build_workspace(tmp_path_factory.mktemp("dash_idx") / "ws")
    with Store.open(b.ws.db_path) as store:
        vectors.update_index(b.ws, store, vectors.workspace_embedder(b.ws, store))
    return b


def test_overview_shows_registered_fixes_with_their_verdict(tmp_path_factory: pytest.TempPathFactory,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from voc.store import Store

    b = build_workspace(tmp_path_factory.mktemp("dash_fix") / "ws")
    with Store.open(b.ws.db_path) as store:
        store.fixes.add_fix("闪退修复", f"{MONTHS[3]}-12", [1], "app_stability", "手机银行部")
    monkeypatch.setenv("VOC_HOME", str(b.ws.home))
    at = _page(AppTest.from_file(APP, default_timeout=60).run(), "overview")
    table = next(d.value for d in at.dataframe if "结论" in d.value.columns)
    assert list(table["整改事项"]) == ["闪退修复"] and list(table["结论"]) == ["见效"]


def test_themes_page_offers_praise_and_questions_apart_from_complaints(app: AppTest, indexed: Built,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _page(app, "themes")  # no embedder in this workspace: says what to run
    assert any("voc enrich" in i.value for i in app.info)
    monkeypatch.setenv("VOC_HOME", str(indexed.ws.home))
    at = _page(AppTest.from_file(APP, default_timeout=60).run(), "themes")
    assert at.radio(key="themes_view").options == ["表扬", "咨询与疑问"]
    praise = at.dataframe[-1].value
    assert len(praise) >= 1 and praise["数量"].sum() <= sum(1 for r in indexed.records if r.month == JUNE)


def test_semantic_search_and_more_like_this(indexed: Built, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOC_HOME", str(indexed.ws.home))
    at = _page(AppTest.from_file(APP, default_timeout=60).run(), "search")
    assert at.radio(key="s_mode").options == ["混合", "语义", "关键词"]
    at.text_input(key="s_query").input("养老金账户扣款").run()
    assert _count(at, r"找到 (\d+) 条结果") == 20
    first = next(b for b in at.button if b.key and b.key.startswith("hit_0_"))
    first.click().run()
    assert not at.exception
    assert any(s.value == "相似记录" for s in at.subheader)
    assert len([b for b in at.button if b.key and b.key.startswith("hit_")]) == 20
    at.button(key="mlt_close").click().run()
    assert not any(s.value == "相似记录" for s in at.subheader)
    _page(at, "health")
    assert any("索引与数据库一致" in s.value for s in at.success)
