"""Real-browser check of sign-in and roles: login required, a branch user sees only their branch, a rename made
on the 主题 page shows in the CLI.

    python scripts/dashboard_access_check.py --home DIR --out DIR [--port 8598]

The workspace must have users `zhao` (branch 朝阳支行) and `ana` (analyst), both with the password given by
--password. Prints one line per check and exits 1 when one fails; skips (exit 0) without Chromium/Playwright.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dashboard_screenshots import CHROMIUM_ARGS, EXCEPTION, FULL_HEIGHT, browser, wait_idle, with_dashboard

NEW_NAME = "转账额度不够用（浏览器）"


def _voc(home: Path, *args: str) -> str:
    proc = subprocess.run([sys.executable, "-c", "from voc.cli import main; main()", *args, "--home", str(home)],
                          capture_output=True, text=True, check=True)
    return proc.stdout


def _shot(page, out: Path, name: str) -> None:
    height = page.evaluate(FULL_HEIGHT)
    page.set_viewport_size({"width": 1440, "height": max(1000, int(height) + 80)})
    wait_idle(page, quiet=0.5)
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)


def _login(page, port: int, name: str, password: str) -> None:
    page.goto(f"http://localhost:{port}/")
    wait_idle(page)
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    time.sleep(0.5)
    page.wait_for_function("() => !document.body.innerText.includes('用户名\\n')", timeout=30_000)
    wait_idle(page)


def _nav(page, title: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    time.sleep(0.5)
    wait_idle(page)


def check(home: Path, out: Path, port: int, password: str, chromium: str) -> list[tuple[str, bool, str]]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        page.goto(f"http://localhost:{port}/")
        wait_idle(page)
        body = page.inner_text("body")
        _shot(page, out, "login")
        results.append(("login form and no data before sign-in",
                        "密码" in body and "反馈量" not in body and page.locator("[data-testid=stMetric]").count() == 0,
                        body[:80].replace("\n", " ")))

        _login(page, port, "zhao", password)
        body = page.inner_text("body")
        _shot(page, out, "branch_user")
        nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
        results.append(("branch user lands on their branch page", "本网点：朝阳支行" in body, nav.replace("\n", " ")))
        results.append(("branch user sees no other branch", "浦东支行" not in body and "总览" not in nav, ""))
        _nav(page, "检索")
        box = page.get_by_label("问题或关键词")
        box.fill("闪退")
        box.press("Enter")
        time.sleep(0.5)
        wait_idle(page)
        body = page.inner_text("body")
        _shot(page, out, "branch_search")
        results.append(("branch user's search stays in their branch",
                        "朝阳支行" in body and "浦东支行" not in body and "找到" in body, ""))

        page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        _login(page, port, "ana", password)
        _shot(page, out, "analyst_overview")
        _nav(page, "主题")
        page.get_by_text("整理主题（重命名 / 合并 / 固定 / 拆分）").click()
        time.sleep(0.3)
        name_box = page.get_by_label("新名称")
        name_box.fill(NEW_NAME)
        name_box.press("Enter")
        time.sleep(0.3)
        wait_idle(page)
        page.get_by_role("button", name="重命名").click()
        time.sleep(0.5)
        wait_idle(page)
        _shot(page, out, "curation")
        labels = {json.loads(line).get("theme_label") for line in _voc(home, "export").splitlines() if line}
        results.append(("a rename made on the page shows in the CLI (voc export)", NEW_NAME in labels,
                        ", ".join(map(str, labels))))
        results.append(("no page showed an exception", page.locator(EXCEPTION).count() == 0, ""))
        browser.close()
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--port", type=int, default=8598)
    ap.add_argument("--password", default=os.environ.get("VOC_CHECK_PASSWORD", "correct horse battery"))
    args = ap.parse_args()
    chromium = browser()
    if chromium is None:
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    results = with_dashboard(args.home, args.port,
                             lambda: check(args.home, args.out, args.port, args.password, chromium))
    for name, ok, detail in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f"  [{detail}]" if detail and not ok else ""))
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
