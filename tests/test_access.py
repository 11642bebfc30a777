"""Access control: scrypt passwords, roles, branch scoping of search and records, API user tokens, the audit log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from builders import build_workspace
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voc import access, vectors
from voc.api import create_app
from voc.errors import VocError
from voc.search import search
from voc.store import Filters, Store

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    b = build_workspace(Path(tmp_path_factory.mktemp("access")) / "ws")
    with Store.open(b.ws.db_path) as store:
        vectors.update_index(b.ws, store, vectors.workspace_embedder(b.ws, store))
        access.add_user(store, "zhao", "branch", PASSWORD, branch="朝阳支行")
        access.add_user(store, "ana", "analyst", PASSWORD)
    return b


def test_password_hash_is_scrypt_salted_and_checked_in_constant_time() -> None:
    one, two = access.hash_password(PASSWORD), access.hash_password(PASSWORD)
    assert one.startswith("scrypt$32768$8$1$") and one != two and PASSWORD not in one
    assert access.verify_password(PASSWORD, one) and access.verify_password(PASSWORD, two)
    assert not access.verify_password(PASSWORD + " ", one)
    assert not access.verify_password(PASSWORD, "plain" + PASSWORD)
    assert not access.verify_password(PASSWORD, "scrypt$x$8$1$AAAA$BBBB")


@pytest.mark.parametrize("name, role, branch, password, why", [
    ("a b", "analyst", None, PASSWORD, "user name"),
    ("li", "boss", None, PASSWORD, "role"),
    ("li", "branch", None, PASSWORD, "--branch"),
    ("li", "analyst", "朝阳支行", PASSWORD, "only for role branch"),
    ("li", "admin", None, "short", "too short"),
])
def test_new_users_are_checked(name: str, role: str, branch: str | None, password: str, why: str) -> None:
    with pytest.raises(VocError, match=why):
        access.check_new_user(name, role, branch, password)


def test_authenticate_audits_every_attempt_without_the_password(built) -> None:
    with Store.open(built.ws.db_path) as store:
        user = access.authenticate(store, "zhao", PASSWORD)
        assert user == access.User("zhao", "branch", "朝阳支行") and user.scoped and not user.can_curate
        assert access.authenticate(store, "zhao", "wrong password!") is None
        assert access.authenticate(store, "nobody", PASSWORD) is None
        events = store.access.audit_log(limit=3)
    assert [(e["actor"], e["action"]) for e in events] == [
        ("nobody", "login_failed"), ("zhao", "login_failed"), ("zhao", "login")]
    assert all(PASSWORD not in json.dumps(e, ensure_ascii=False) for e in events)


def test_audit_does_not_move_the_change_stamp(built) -> None:
    with Store.open(built.ws.db_path) as store:
        before = store.last_change()
        store.access.audit("ana", "search", access.audit_query("客户13812345678投诉转账", Filters(branch="x")))
        assert store.last_change() == before
        detail = json.loads(store.access.audit_log(limit=1)[0]["detail"])
    assert detail == {"q": "客户[手机号]投诉转账", "branch": "x"}


def test_session_expires_when_idle_or_too_old() -> None:
    assert access.session_alive(0, 0, 29 * 60, idle_minutes=30, max_hours=10)
    assert not access.session_alive(0, 0, 31 * 60, idle_minutes=30, max_hours=10)
    assert access.session_alive(0, 9.9 * 3600, 9.95 * 3600, idle_minutes=30, max_hours=10)
    assert not access.session_alive(0, 10 * 3600 - 60, 10 * 3600 + 1, idle_minutes=30, max_hours=10)


def test_scope_replaces_the_branch_only_for_branch_users() -> None:
    asked = Filters(branch="浦东支行", channel="rating")
    assert access.scope(asked, access.User("zhao", "branch", "朝阳支行")) == Filters(
        branch="朝阳支行", channel="rating")
    assert access.scope(asked, access.User("ana", "analyst")) == asked
    assert access.scope(asked, None) == asked


QUERIES = st.sampled_from(["转账", "限额", "网点排队", "客服", "手机银行闪退", "利息"])
FILTERS = st.builds(
    Filters,
    channel=st.sampled_from([None, "rating", "call", "social"]),
    branch=st.sampled_from([None, "朝阳支行", "浦东支行", "不存在"]),
    sentiment=st.sampled_from([None, "负面", "中性", "正面"]),
    since=st.sampled_from([None, "2026-01-01", "2026-03-01"]),
)


@pytest.fixture(scope="module")
def ws(built):
    """Just the workspace: hypothesis prints its arguments, and the built records would make that huge."""
    return built.ws


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=QUERIES, filters=FILTERS, mode=st.sampled_from(["keyword", "semantic", "hybrid"]))
def test_a_branch_user_never_gets_another_branch_record(ws, query: str, filters: Filters,
                                                        mode: str) -> None:
    user = access.User("zhao", "branch", "朝阳支行")
    with Store.open(ws.db_path, readonly=True) as store:
        index, embedder = vectors.load_index(ws), vectors.load_embedder(ws)
        hits = search(store, index, embedder, query, k=50, mode=mode, filters=access.scope(filters, user))
        branches = {store.records.get_record(h.id)["branch"] for h in hits}
    assert branches <= {"朝阳支行"}


def _api(built, token: str) -> TestClient:
    c = TestClient(create_app(built.ws))
    c.headers["Authorization"] = f"Bearer {token}"
    return c


def test_api_user_token_carries_the_users_scope(built) -> None:
    with Store.open(built.ws.db_path) as store:
        branch_token = access.new_api_token(store, "zhao")
        analyst_token = access.new_api_token(store, "ana")
        assert store.access.user_of_token(branch_token) is None  # only the hash is stored
    branch, analyst = _api(built, branch_token), _api(built, analyst_token)
    branch_of = {r.id: r.branch for r in built.records}
    asked = branch.get("/search", params={"q": "闪退", "k": 100, "branch": "浦东支行", "mode": "keyword"})
    assert asked.status_code == 200
    ids = [r["id"] for r in asked.json()["results"]]
    assert ids and all(branch_of[i] == "朝阳支行" for i in ids)
    every = analyst.get("/search", params={"q": "闪退", "k": 100, "mode": "keyword"}).json()["results"]
    assert {branch_of[r["id"]] for r in every} == {"朝阳支行", "浦东支行"}
    other = next(r for r in built.records if r.branch == "浦东支行")
    assert branch.get(f"/records/{other.id}").status_code == 404
    assert branch.get(f"/records/{other.id}/similar").status_code == 404
    assert analyst.get(f"/records/{other.id}").status_code == 200
    own = next(r for r in built.records if r.branch == "朝阳支行")
    similar = branch.get(f"/records/{own.id}/similar", params={"k": 50}).json()["results"]
    assert similar and all(branch_of[r["id"]] == "朝阳支行" for r in similar)
    assert _api(built, "voc_forged").get("/search", params={"q": "转账"}).status_code == 401
    with Store.open(built.ws.db_path) as store:
        assert store.access.revoke_api_tokens("zhao") == 1
        searches = [e for e in store.access.audit_log(actor="zhao") if e["action"] == "api_search"]
    assert branch.get("/search", params={"q": "转账"}).status_code == 401
    assert json.loads(searches[0]["detail"]) == {"q": "闪退", "branch": "朝阳支行"}


def _voc(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from voc.cli import main; main()", *args, "--home", str(home)],
                          input=stdin, capture_output=True, text=True, check=False)


def test_cli_users_add_list_token_remove(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    assert _voc(home, "init").returncode == 0
    added = _voc(home, "users", "add", "zhao", "--role", "branch", "--branch", "朝阳支行", "--password-stdin",
                 stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    refused = _voc(home, "users", "add", "li", "--role", "branch", "--password-stdin", stdin=PASSWORD + "\n")
    assert refused.returncode == 2 and refused.stderr.startswith("error: a branch user needs --branch")
    token = _voc(home, "users", "token", "zhao").stdout.strip()
    assert token.startswith("voc_")
    listed = json.loads(_voc(home, "users", "list", "--json").stdout)
    assert listed == [{"name": "zhao", "role": "branch", "branch": "朝阳支行", "created_at": listed[0]["created_at"],
                       "tokens": 1}]
    with Store.open(home / "voc.db", readonly=True) as store:
        stored = store.access.get_user("zhao")["password_hash"]
    assert PASSWORD not in stored and access.verify_password(PASSWORD, stored)
    assert _voc(home, "users", "remove", "zhao").returncode == 0
    assert json.loads(_voc(home, "users", "list", "--json").stdout) == []
    actions = [e["action"] for e in json.loads(_voc(home, "users", "audit", "--json").stdout)]
    assert actions == ["user_removed", "token_created", "user_added"]
    assert _voc(home, "users", "remove", "zhao").stderr.startswith("error: no user 'zhao'")
