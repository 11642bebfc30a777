from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from ingest.http import HttpIngestor
from ingest.runner import run_ingestor
from ingest.social import SocialIngestor
from voc.errors import IngestError
from voc.keys import subject_key
from voc.store import Store

POSTS = [
    {"id": "p1", "platform": "微博", "posted_at": "2026-03-05T10:00:00+08:00", "author": "@小王爱理财",
     "text": "@某某银行 轉賬限額太低了！#转账限额# https://weibo.com/123 ＡＰＰ也很卡",
     "url": "https://weibo.com/123", "likes": 12, "reposts": 3},
    {"id": "p2", "platform": "黑猫投诉", "posted_at": "2026-03-06 11:00", "author": "张三",
     "text": "营销电话一天打三次，号码13900001111", "url": "https://tousu.sina.com.cn/1",
     "likes": "1,204", "reposts": 0},
    {"id": "p3", "platform": "小红书", "posted_at": "2026-03-07T00:00:00Z", "author": "x", "text": "https://a.cn/x"},
]


def _run(ws, ingestor, **kw):
    with Store.open(ws.db_path) as store:
        res = run_ingestor(store, ingestor, progress=False, **kw)
        rows = [dict(r) for r in store.query("SELECT * FROM feedback ORDER BY source_id")]
        return res, rows, store.runs.list_quarantine()


def test_jsonl_export(workspace, tmp_path) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in POSTS) + "\n", encoding="utf-8")
    res, rows, quarantine = _run(workspace, SocialIngestor(path, salt="s"))
    assert (res.read, res.new, res.quarantined) == (3, 2, 1)
    p1, p2 = rows
    assert p1["text"] == "转账限额太低了! 转账限额 APP也很卡" and p1["subtype"] == "微博"
    extra = json.loads(p1["extra"])
    assert extra["mentions"] == [f"h:{subject_key('某某银行', 's')}"] and extra["hashtags"] == ["转账限额"]
    assert extra["urls"] == ["https://weibo.com/123"] and extra["likes"] == 12 and extra["platform"] == "微博"
    assert json.loads(p2["extra"])["likes"] == 1204 and "[手机号]" in p2["text"]
    assert p1["customer_key"] and "小王" not in json.dumps(p1, ensure_ascii=False)
    assert "empty once links" in quarantine[0]["reason"]


def test_csv_export_with_chinese_headers(workspace, tmp_path) -> None:
    path = tmp_path / "weibo.csv"
    text = "帖子ID,发布时间,用户,正文,点赞数\r\nw1,2026-03-05 10:00,@a,网点排队两小时,5\r\n"
    path.write_bytes(text.encode("gb18030"))
    res, rows, _ = _run(workspace, SocialIngestor(path, platform="微博"))
    assert res.new == 1 and rows[0]["source_id"] == "w1" and rows[0]["subtype"] == "微博"


class _Api:
    """A paginated JSON API that fails with a 429 and a 500 on the way and honours `since`."""

    def __init__(self, items: list[dict]) -> None:
        self.items = items
        self.calls: list[dict] = []
        self.failures = {2: (429, {"Retry-After": "7"}), 3: (500, {})}
        self.mode = "cursor"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
                api.calls.append(q)
                fail = api.failures.pop(len(api.calls), None)
                if fail:
                    self.send_response(fail[0])
                    for k, v in fail[1].items():
                        self.send_header(k, v)
                    self.end_headers()
                    return
                items = [
                    i for i in api.items
                    if not q.get("since") or not isinstance(i, dict) or not isinstance(i["ts"], int)
                    or i["ts"] >= int(q["since"])
                ]
                if api.mode == "cursor":
                    start = int(q.get("cursor", 0))
                    page = items[start : start + 2]
                    nxt = str(start + 2) if start + 2 < len(items) else None
                    body = {"data": {"items": page, "next_cursor": nxt}}
                else:
                    n = int(q.get("page", 1))
                    body = {"data": {"items": items[(n - 1) * 2 : n * 2]}}
                raw = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(raw)

        return Handler


@pytest.fixture
def api() -> Iterator[tuple[_Api, str]]:
    base = 1772676000  # 2026-03-05 10:00 +08:00
    items = [{"mid": f"m{i}", "ts": base + i * 60, "content": f"第{i}条 信用卡年费太贵", "user": {"name": f"u{i}"}}
             for i in range(7)]
    items.append({"mid": "bad", "ts": "not a time", "content": "时间坏了", "user": {"name": "z"}})
    items.append("not an object")
    state = _Api(items)
    server = ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/v1/posts?token=secret"
    finally:
        server.shutdown()
        server.server_close()


def _http(url: str, sleeps: list[float], **kw) -> HttpIngestor:
    opts = {"items_path": "data.items", "id_field": "mid", "time_field": "ts", "text_field": "content",
            "author_field": "user.name", "since_param": "since", "since_format": "epoch", "backoff": 0.01,
            "platform": "微博", **kw}
    return HttpIngestor(url, source="weibo_api", salt="s", sleep=sleeps.append, **opts)


def test_http_cursor_pagination_with_retries(workspace, api) -> None:
    state, url = api
    sleeps: list[float] = []
    res, rows, quarantine = _run(workspace, _http(url, sleeps, cursor_path="data.next_cursor"))
    assert (res.read, res.new, res.duplicates, res.quarantined) == (9, 7, 0, 2)
    assert sorted(r["source_id"] for r in rows) == [f"m{i}" for i in range(7)]
    assert sleeps[0] == 7.0 and len(sleeps) == 2  # Retry-After honoured, then one back-off for the 500
    assert {q["reason"] for q in quarantine} >= {"expected a JSON object"}
    assert all("token" not in q["file"] for q in quarantine)
    # the next pull asks only for what is new since the newest item seen
    state.items.append({"mid": "m9", "ts": 1772676000 + 3600, "content": "新的一条 转账失败", "user": {"name": "q"}})
    res2, rows2, _ = _run(workspace, _http(url, sleeps, cursor_path="data.next_cursor"))
    assert int(state.calls[-1]["since"]) == 1772676000 + 6 * 60
    assert (res2.new, res2.read - res2.duplicates - res2.quarantined) == (1, 1)
    assert len(rows2) == 8


def test_http_page_pagination(workspace, api) -> None:
    state, url = api
    state.mode = "page"
    res, rows, _ = _run(workspace, _http(url, [], page_param="page"))
    assert (res.new, res.quarantined) == (7, 2) and len(rows) == 7
    assert [c.get("page") for c in state.calls if c.get("page")][-1] == "6"  # stopped at the empty page


def test_http_gives_up_and_keeps_committed_batches(workspace, api) -> None:
    state, url = api
    state.failures = {3: (503, {}), 4: (503, {}), 5: (503, {})}
    with Store.open(workspace.db_path) as store, pytest.raises(IngestError, match="giving up after 3 attempts"):
        run_ingestor(store, _http(url, [], cursor_path="data.next_cursor", max_retries=2), batch_size=2,
                     progress=False)
    state.failures = {}
    res, rows, _ = _run(workspace, _http(url, [], cursor_path="data.next_cursor"), batch_size=2)
    # pages 1-2 were committed before the failure: the resumed pull starts at page 3, loses and repeats nothing
    assert len(rows) == 7 and (res.new, res.duplicates) == (3, 0) and state.calls[-3].get("cursor") == "4"
