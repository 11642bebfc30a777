"""Dashboard sign-in and roles (AppTest): nothing before login, expiry, a branch user's own branch only, curation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import MONTHS, Built, build_workspace
from streamlit.testing.v1 import AppTest

from dashboards import auth
from voc import access
from voc.errors import VocError
from voc.store import Store

APP = str(Path(__file__).resolve().parents[1] / "dashboards" / "streamlit_app.py")
JUNE = MONTHS[-1]
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    b = build_workspace(tmp_path_factory.mktemp("dash_access") / "ws")
    with Store.open(b.ws.db_path) as store:
        access.add_user(store, "zhao", "branch", PASSWORD, branch="朝阳支行")
        access.add_user(store, "ana", "analyst", PASSWORD)
        access.add_user(store, "root", "admin", PASSWORD)
    return b


@pytest.fixture
def app(built: Built, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("VOC_HOME", str(built.ws.home))
    return AppTest.from_file(APP, default_timeout=60)


def _login(at: AppTest, name: str, password: str = PASSWORD) -> AppTest:
    at.run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _shown_text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [m.value for m in at.metric]
    return "\n".join(str(p) for p in parts)


def test_login_form_and_nothing_else_before_sign_in(app: AppTest, built: Built) -> None:
    app.run()
    assert not app.exception
    assert [t.value for t in app.title] == ["voc 客户之声"]
    assert len(app.metric) == 0 and len(app.dataframe) == 0 and len(app.selectbox) == 0
    texts = _shown_text(app)
    assert not any(r.text[:12] in texts for r in built.records)
    _login(app, "zhao", "wrong password!")
    assert [e.value for e in app.error] == ["用户名或密码错误。"] and len(app.metric) == 0


def test_branch_user_sees_only_their_branch(app: AppTest, built: Built) -> None:
    _login(app, "zhao")
    assert app.title[0].value == "本网点：朝阳支行"
    mine = [r for r in built.records if r.month == JUNE and r.branch == "朝阳支行"]
    assert next(m.value for m in app.metric if m.label == "反馈量") == f"{len(mine):,}"
    others = {r.text for r in built.records if r.branch != "朝阳支行"} - {r.text for r in built.records
                                                                          if r.branch == "朝阳支行"}
    assert not any(o in _shown_text(app) for o in others)
    for page in ("overview", "themes", "calls", "channels", "health", "admin"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"app_pages/{page}.py")


def test_branch_user_search_is_scoped(app: AppTest, built: Built) -> None:
    _login(app, "zhao")
    app.switch_page("app_pages/search.py").run()
    app.text_input(key="s_query").input("闪退").run()
    assert not app.exception
    assert "只检索本网点（朝阳支行）的记录。" in _shown_text(app)
    caps = [c.value for c in app.caption if "支行" in c.value]
    assert caps and all("浦东支行" not in c for c in caps)
    with Store.open(built.ws.db_path, readonly=True) as store:
        search = next(e for e in store.access.audit_log(actor="zhao") if e["action"] == "search")
    assert json.loads(search["detail"]) == {"q": "闪退", "branch": "朝阳支行"}


def test_session_expires_when_idle(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1_000_000.0]
    monkeypatch.setattr(auth, "_now", lambda: clock[0])
    _login(app, "ana")
    assert app.title[0].value == "总览"
    clock[0] += 29 * 60
    app.run()
    assert app.title[0].value == "总览"
    clock[0] += 31 * 60
    app.run()
    assert [t.value for t in app.title] == ["voc 客户之声"] and "登录已过期" in app.info[0].value


def test_removed_user_is_signed_out(app: AppTest, built: Built) -> None:
    with Store.open(built.ws.db_path) as store:
        access.add_user(store, "temp", "analyst", PASSWORD)
    _login(app, "temp")
    assert app.title[0].value == "总览"
    with Store.open(built.ws.db_path) as store:
        store.access.remove_user("temp")
    app.run()
    assert [t.value for t in app.title] == ["voc 客户之声"]


def test_analyst_renames_a_theme_on_the_page(app: AppTest, built: Built) -> None:
    _login(app, "ana")
    app.switch_page("app_pages/themes.py").run()
    tid = app.selectbox(key="themes_pick").value
    app.text_input(key=f"cur_name_{tid}").input("转账额度不够用")
    app.button(key=f"cur_rename_{tid}").click().run()
    assert not app.exception and any("已重命名" in s.value for s in app.success)
    with Store.open(built.ws.db_path, readonly=True) as store:
        assert next(t["label"] for t in store.themes.list_themes() if t["theme_id"] == tid) == "转账额度不够用"
        assert store.curations.curations()[-1]["actor"] == "ana"
        curate = next(e for e in store.access.audit_log(actor="ana") if e["action"] == "curate")
    assert json.loads(curate["detail"]) == {"theme_id": tid, "action": "rename", "value": "转账额度不够用"}


def test_analyst_gets_curation_but_not_the_admin_page(app: AppTest) -> None:
    _login(app, "ana")
    app.switch_page("app_pages/themes.py").run()
    assert app.text_input(key=f"cur_name_{app.selectbox(key='themes_pick').value}")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("app_pages/admin.py")


def test_branch_user_is_refused_bank_wide_data_even_behind_navigation(built: Built) -> None:
    from dashboards import data

    with Store.open(built.ws.db_path, readonly=True) as store:
        ctx = data.Ctx(str(built.ws.home), built.ws, store, store.last_change(),
                       access.User("zhao", "branch", "朝阳支行"))
        for call in (lambda: data.overview(ctx, JUNE), lambda: data.flags(ctx, JUNE),
                     lambda: data.theme_examples(ctx, 0, JUNE), lambda: data.calls(ctx, JUNE),
                     lambda: data.health(ctx), lambda: data.build_report(ctx, JUNE)):
            with pytest.raises(VocError, match="网点用户只能查看本网点"):
                call()
        assert data.choices(ctx, "branch") == ["朝阳支行"]
        assert all("size" not in t for t in data.themes(ctx))


def test_admin_sees_users_and_the_audit_log(app: AppTest) -> None:
    _login(app, "root")
    app.switch_page("app_pages/admin.py").run()
    assert not app.exception and app.title[0].value == "用户与审计"
    users, log = app.dataframe[0].value, app.dataframe[1].value
    assert {"zhao", "ana", "root"} <= set(users["用户名"])
    assert "登录" in set(log["操作"]) and PASSWORD not in log.to_csv()


def test_split_on_the_page_explains_when_it_cannot(app: AppTest) -> None:
    _login(app, "ana")
    app.switch_page("app_pages/themes.py").run()
    tid = app.selectbox(key="themes_pick").value
    app.button(key=f"cur_split_{tid}").click().run()
    assert not app.exception
    assert [e.value for e in app.error if e.value.startswith("未能拆分：")]  # this workspace has no saved models
