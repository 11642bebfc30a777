"""Alerts: a new emerging or rising flag, or a fix whose themes came back, sent once to each configured channel.

Channels are a webhook (one JSON POST per run, e.g. the bank's IM bot) and e-mail over SMTP, both set in
voc.toml ``[alerts]``. What was sent is logged in the store per channel, so a flag goes out once however often
``voc flags`` runs; a channel that fails is retried a few times, logged, and tried again on the next run. A
dry run builds the same messages and sends nothing. Alerts carry labels and numbers, never customer text.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import time
import urllib.request
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from typing import Any

from voc.config import AlertSettings
from voc.labels import STATUS_NAMES
from voc.store import Store

log = logging.getLogger(__name__)

NEWS = {k: STATUS_NAMES[k] for k in ("emerging", "rising")}


def alerts_for(month: str, flags: Sequence[dict[str, Any]], fixes: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One alert per emerging / rising flag of the month and per fix whose themes came back."""
    out = []
    for f in flags:
        for status in f.get("statuses") or [f["status"]]:
            if status in NEWS:
                out.append({"key": f"{month}:theme:{f['theme_id']}:{status}", "kind": status, "month": month,
                            "theme_id": f["theme_id"], "label": f["label"], "status": NEWS[status],
                            "volume": f.get("volume"), "severity": f.get("severity"),
                            "process_step": f.get("process_step")})
    for fix in fixes:
        if fix.get("came_back"):
            out.append({"key": f"{month}:fix:{fix['fix_id']}:came_back", "kind": "came_back", "month": month,
                        "fix_id": fix["fix_id"], "label": fix["title"], "status": "整改后回升",
                        "themes": [t["label"] for t in fix["themes"]], "volume": fix["series"][-1]})
    return out


def _line(a: dict[str, Any]) -> str:
    what = f"整改「{a['label']}」涉及的主题回升" if a["kind"] == "came_back" else f"【{a['status']}】{a['label']}"
    return f"{what}（{a['month']}，本月 {a.get('volume')} 条）"


def send_webhook(settings: AlertSettings, month: str, alerts: list[dict[str, Any]]) -> None:
    body = json.dumps({"source": "voc", "month": month, "text": f"客户之声 {month}：" + "；".join(map(_line, alerts)),
                       "alerts": alerts}, ensure_ascii=False).encode("utf-8")
    req = urllib.request.Request(settings.webhook_url, data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=settings.timeout) as resp:
        if resp.status >= 300:
            raise OSError(f"webhook answered {resp.status}")


def send_email(settings: AlertSettings, month: str, alerts: list[dict[str, Any]]) -> None:
    msg = EmailMessage()
    msg["Subject"] = f"[voc] {month} 需要关注的主题变化（{len(alerts)} 项）"
    msg["From"] = settings.email_from or "voc@localhost"
    msg["To"] = settings.email_to
    msg.set_content("\n".join(f"- {_line(a)}" for a in alerts) + "\n\n详见本月复盘报告与看板。\n")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, os.environ.get(settings.smtp_password_env, ""))
        smtp.send_message(msg)


def channels(settings: AlertSettings) -> dict[str, Callable[[AlertSettings, str, list[dict[str, Any]]], None]]:
    out: dict[str, Callable[[AlertSettings, str, list[dict[str, Any]]], None]] = {}
    if settings.webhook_url:
        out["webhook"] = send_webhook
    if settings.smtp_host and settings.email_to:
        out["email"] = send_email
    return out


def dispatch(store: Store, settings: AlertSettings, month: str, alerts: list[dict[str, Any]],
             dry_run: bool = False, sleep: Callable[[float], None] = time.sleep) -> dict[str, Any]:
    """Send each channel the alerts it has not had yet; what was sent, what was already sent, what failed."""
    result: dict[str, Any] = {"alerts": len(alerts), "dry_run": dry_run, "sent": {}, "already_sent": {},
                              "failed": {}}
    for name, send in channels(settings).items():
        done = store.fixes.alerts_sent(name)
        todo = [a for a in alerts if a["key"] not in done]
        result["already_sent"][name] = len(alerts) - len(todo)
        if not todo:
            continue
        if dry_run:
            result["sent"][name] = [a["key"] for a in todo]
            continue
        for attempt in range(settings.retries):
            try:
                send(settings, month, todo)
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("alert channel %s failed (attempt %d of %d): %s", name, attempt + 1, settings.retries, exc)
                if attempt + 1 < settings.retries:
                    sleep(0.5 * 2**attempt)
                else:
                    result["failed"][name] = str(exc)
            else:
                if not store.readonly:
                    store.fixes.mark_alerts_sent(name, [a["key"] for a in todo])
                result["sent"][name] = [a["key"] for a in todo]
                break
    return result
