"""Alerts for new emerging / rising flags: a local webhook and a local SMTP server, once each, dry runs send none."""

from __future__ import annotations

import dataclasses
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from builders import MONTHS, build_workspace

from voc import pipeline
from voc.config import AlertSettings
from voc.store import Store

JUNE = MONTHS[-1]


class Hook:
    """A local webhook that keeps every JSON body it receives and can be told to fail."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.fail = False
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.fail:
                    self.send_response(500)
                else:
                    hook.bodies.append(json.loads(body))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def env(tmp_path: Path):
    built = build_workspace(tmp_path / "ws")
    hook, inbox = Hook(), Inbox()
    with socket.socket() as probe:  # a free port for the local SMTP server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    settings = AlertSettings(webhook_url=hook.url, smtp_host="127.0.0.1", smtp_port=smtp.port,
                             email_from="voc@bank.example", email_to="quality@bank.example", retries=2, timeout=5.0)
    ws = dataclasses.replace(built.ws, settings=dataclasses.replace(built.ws.settings, alerts=settings))
    store = Store.open(ws.db_path)
    yield ws, store, hook, inbox, built
    store.close()
    smtp.stop()
    hook.server.shutdown()


def _send(ws, store, dry_run: bool = False):
    return pipeline.send_alerts(ws, store, JUNE, store.themes.get_flags(JUNE), dry_run=dry_run)


def test_new_flags_reach_both_channels_once(env) -> None:
    ws, store, hook, inbox, built = env
    first = _send(ws, store)
    emerging = [f for f in store.themes.get_flags(JUNE) if "emerging" in f["statuses"]]
    assert emerging and first["failed"] == {}
    assert first["sent"]["webhook"] == first["sent"]["email"]
    (body,) = hook.bodies
    assert body["month"] == JUNE and {a["theme_id"] for a in body["alerts"]} >= {f["theme_id"] for f in emerging}
    assert "新出现" in body["text"]
    (mail,) = inbox.messages
    assert b"quality@bank.example" in mail
    texts = {r.text for r in built.records}
    payload = json.dumps(body, ensure_ascii=False)
    assert not any(t in payload for t in texts)  # labels and numbers, never customer text
    again = _send(ws, store)
    assert again["sent"] == {} and again["already_sent"]["webhook"] == first["alerts"]
    assert len(hook.bodies) == 1 and len(inbox.messages) == 1


def test_a_dry_run_sends_and_records_nothing(env) -> None:
    ws, store, hook, inbox, _ = env
    dry = _send(ws, store, dry_run=True)
    assert dry["dry_run"] and dry["sent"]["webhook"] and hook.bodies == [] and inbox.messages == []
    assert store.fixes.alerts_sent("webhook") == set()
    assert _send(ws, store)["sent"]["webhook"] == dry["sent"]["webhook"]


def test_a_failing_channel_is_retried_and_sent_on_the_next_run(env) -> None:
    ws, store, hook, _, _ = env
    hook.fail = True
    failed = _send(ws, store)
    assert "webhook" in failed["failed"] and failed["sent"].get("email")
    assert store.fixes.alerts_sent("webhook") == set()
    hook.fail = False
    later = _send(ws, store)
    assert later["sent"]["webhook"] and "email" not in later["sent"] and len(hook.bodies) == 1


def test_no_channel_no_alerts_and_only_the_latest_month(env) -> None:
    ws, store, *_ = env
    quiet = dataclasses.replace(ws, settings=dataclasses.replace(ws.settings, alerts=AlertSettings()))
    assert pipeline.send_alerts(quiet, store, JUNE, store.themes.get_flags(JUNE)) is None
    assert pipeline.send_alerts(ws, store, MONTHS[-2], store.themes.get_flags(MONTHS[-2])) is None


def test_a_pull_that_brought_records_updates_flags_and_alerts_once(env) -> None:
    ws, store, hook, inbox, _ = env
    store.themes.reset_themes()  # let the tracker, not the test builder, own the themes
    assert pipeline.alerts_after_pull(ws, store, 0) is None and store.themes.theme_runs() == []
    sent = pipeline.alerts_after_pull(ws, store, 12)
    assert store.themes.theme_months_done()[-1] == JUNE and store.themes.get_flags(JUNE)
    assert sent is not None and sent["failed"] == {} and sent["alerts"] >= 1
    assert len(hook.bodies) == 1 and len(inbox.messages) == 1
    again = pipeline.alerts_after_pull(ws, store, 3)
    assert again["sent"] == {} and len(hook.bodies) == 1
