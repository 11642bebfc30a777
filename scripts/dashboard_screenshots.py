"""Real-browser check of the dashboard: start `voc dashboard`, load every page in headless Chromium, screenshot it.

    python scripts/dashboard_screenshots.py --home DIR --out DIR [--port 8599] [--query 转账限额]

Fails (exit 1) when a page shows a Streamlit exception; skips (exit 0, with a message) when Chromium or
Playwright is missing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

PAGES = {"overview": "", "themes": "themes", "search": "search", "calls": "calls", "channels": "channels",
         "health": "health"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
RUNNING = '[data-testid="stStatusWidget"]'
# Streamlit scrolls inside its main block, so a full-page shot needs a viewport as tall as that block.
FULL_HEIGHT = "document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight"
EXCEPTION = '.stException, [data-testid="stException"]'


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def start_dashboard(home: Path, port: int) -> subprocess.Popen:
    """`voc dashboard` in its own process group, so stopping it also stops the streamlit child."""
    cmd = [sys.executable, "-c", "from voc.cli import main; main()", "dashboard", "--home", str(home),
           "--port", str(port)]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voc dashboard exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://localhost:{port}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the dashboard did not answer on port {port} within {timeout:.0f} s")


def wait_idle(page, timeout: float = 60.0, quiet: float = 1.5) -> float:
    """Wait until the app has a title and the 'running' status widget stayed away for `quiet` seconds."""
    started = time.monotonic()
    page.wait_for_selector('[data-testid="stMain"] h1', timeout=timeout * 1000)
    calm_since = None
    while time.monotonic() - started < timeout:
        if page.locator(RUNNING).count():
            calm_since = None
        elif calm_since is None:
            calm_since = time.monotonic()
        elif time.monotonic() - calm_since >= quiet:
            return calm_since - started
        time.sleep(0.1)
    raise TimeoutError("the page kept running")


def shoot(port: int, out: Path, chromium: str, query: str) -> list[dict]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
        targets = [(name, path, None) for name, path in PAGES.items()] + [("search_results", "search", query)]
        for name, path, text in targets:
            page.set_viewport_size({"width": 1440, "height": 1000})
            page.goto(f"http://localhost:{port}/{path}")
            seconds = wait_idle(page)
            if text:
                box = page.get_by_label("问题或关键词")
                box.fill(text)
                box.press("Enter")
                time.sleep(0.5)
                seconds = wait_idle(page)
            height = page.evaluate(FULL_HEIGHT)
            page.set_viewport_size({"width": 1440, "height": max(1000, int(height) + 80)})
            wait_idle(page, quiet=0.5)
            file = out / f"{name}.png"
            page.screenshot(path=str(file), full_page=True)
            errors = page.locator(EXCEPTION).count()
            results.append({"page": name, "render_s": round(seconds, 2), "exceptions": errors, "file": str(file)})
            print(f"{name:15s} {seconds:6.2f} s  exceptions={errors}  {file}")
        browser.close()
    return results


def browser() -> str | None:
    """Chromium's path when it and Playwright are installed; otherwise None after saying why (a skip)."""
    chromium = find_chromium()
    if chromium is None:
        print("skipped: no Chromium found (apt-get install -y chromium fonts-noto-cjk)")
        return None
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("skipped: the playwright Python package is not installed")
        return None
    return chromium


def with_dashboard(home: Path, port: int, work: Callable[[], list]) -> list:
    """Run `work` while `voc dashboard` serves the workspace, and always stop the dashboard afterwards."""
    proc = start_dashboard(home, port)
    try:
        wait_healthy(port, proc)
        return work()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", required=True, type=Path, help="Workspace to show.")
    ap.add_argument("--out", required=True, type=Path, help="Folder for the screenshots.")
    ap.add_argument("--port", type=int, default=8599)
    ap.add_argument("--query", default="转账限额", help="Query typed into the search page.")
    args = ap.parse_args()
    chromium = browser()
    if chromium is None:
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    results = with_dashboard(args.home, args.port, lambda: shoot(args.port, args.out, chromium, args.query))
    bad = [r["page"] for r in results if r["exceptions"]]
    if bad:
        print(f"FAILED: exceptions shown on {', '.join(bad)}")
        return 1
    print(f"ok: {len(results)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
