"""The HTTP API: token auth, validation, search with paging, records, similar records."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import build_workspace
from fastapi.testclient import TestClient

from voc import vectors
from voc.api import create_app
from voc.store import Store


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory):
    built = build_workspace(Path(tmp_path_factory.mktemp("api")) / "ws")
    with Store.open(built.ws.db_path) as store:
        vectors.update_index(built.ws, store, vectors.workspace_embedder(built.ws, store))
    c = TestClient(create_app(built.ws))
    c.headers["Authorization"] = f"Bearer {built.ws.settings.api.token}"
    c.built = built  # type: ignore[attr-defined]
    return c


def test_health_says_only_ok_without_a_token(client: TestClient) -> None:
    res = TestClient(client.app).get("/health")
    assert res.status_code == 200 and res.json() == {"status": "ok"}
    wrong = TestClient(client.app).get("/health", headers={"Authorization": "Bearer nope"})
    assert wrong.json() == {"status": "ok"}
    full = client.get("/health").json()
    assert full["records"] == len(client.built.records) and full["vectors"] == len(client.built.records)


@pytest.mark.parametrize("theme", [2**64, 2**63, -1, 10**30])
def test_theme_id_beyond_64_bits_is_a_422(client: TestClient, theme: int) -> None:
    res = client.get("/search", params={"q": "限额", "theme_id": theme})
    assert res.status_code == 422 and "theme_id" in str(res.json()["detail"])


def test_a_running_api_reloads_after_forget(tmp_path: Path) -> None:
    from voc.erasure import forget

    built = build_workspace(tmp_path / "ws")
    with Store.open(built.ws.db_path) as store:
        vectors.update_index(built.ws, store, vectors.workspace_embedder(built.ws, store))
    api = TestClient(create_app(built.ws))
    api.headers["Authorization"] = f"Bearer {built.ws.settings.api.token}"
    victim = built.records[-1]
    assert api.get(f"/records/{victim.id}").status_code == 200
    before = api.get("/health").json()
    with Store.open(built.ws.db_path) as store:
        forget(built.ws, store, record_id=victim.id)
    after = api.get("/health").json()
    assert (after["records"], after["vectors"]) == (before["records"] - 1, before["vectors"] - 1)
    assert api.get(f"/records/{victim.id}").status_code == 404
    hits = api.get("/search", params={"q": "转账限额", "k": 100, "mode": "semantic"}).json()["results"]
    assert victim.id not in {h["id"] for h in hits}


def test_token_required(client: TestClient) -> None:
    anon = TestClient(client.app)
    assert anon.get("/search", params={"q": "限额"}).status_code == 401
    assert anon.get("/search", params={"q": "限额"}, headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_search_paging_and_filters(client: TestClient) -> None:
    first = client.get("/search", params={"q": "转账限额", "k": 5}).json()["results"]
    second = client.get("/search", params={"q": "转账限额", "k": 5, "offset": 5}).json()["results"]
    assert len(first) == 5 and len(second) == 5
    assert not {h["id"] for h in first} & {h["id"] for h in second}
    calls = client.get("/search", params={"q": "闪退", "channel": "call", "mode": "keyword"}).json()["results"]
    assert calls and all(h["channel"] == "call" for h in calls)


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"q": "限额", "k": 0}, "k"),
        ({"q": "限额", "k": 101}, "k"),
        ({"q": "限额", "since": "2026-13-01"}, "since"),
        ({"q": "限额", "channel": "fax"}, "channel"),
        ({"q": "限额", "since": "2026-06-01", "until": "2026-01-01"}, "after until"),
        ({"q": "限额", "mode": "magic"}, "mode"),
    ],
)
def test_validation_errors_are_422_with_a_reason(client: TestClient, params: dict, fragment: str) -> None:
    res = client.get("/search", params=params)
    assert res.status_code == 422
    assert fragment in str(res.json()["detail"])


def test_record_and_similar(client: TestClient) -> None:
    call = next(r for r in client.built.records if r.channel == "call")
    rec = client.get(f"/records/{call.id}").json()
    assert rec["id"] == call.id and [t["speaker"] for t in rec["turns"]] == ["agent", "customer"]
    sim = client.get(f"/records/{call.id}/similar", params={"k": 3}).json()["results"]
    assert len(sim) == 3 and call.id not in {h["id"] for h in sim}
    assert client.get("/records/nope").status_code == 404


def test_openapi_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/search", "/records/{record_id}", "/records/{record_id}/similar", "/health"} <= set(spec["paths"])
