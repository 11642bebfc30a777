"""The dashboard in a real headless Chromium: every page loads, none shows an exception (skips without Chromium)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from builders import build_workspace

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "dashboard_screenshots.py"


@pytest.mark.slow
def test_every_page_renders_in_chromium(tmp_path: Path) -> None:
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        pytest.skip("Chromium is absent: apt-get install -y chromium fonts-noto-cjk to run the browser check")
    pytest.importorskip("playwright")
    built = build_workspace(tmp_path / "ws")
    out = tmp_path / "shots"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--home", str(built.ws.home), "--out", str(out),
                           "--port", "8597"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    shots = sorted(out.glob("*.png"))
    assert len(shots) >= 6 and all(p.stat().st_size > 10_000 for p in shots), proc.stdout


ACCESS_SCRIPT = SCRIPT.parent / "dashboard_access_check.py"


@pytest.mark.slow
def test_login_branch_scope_and_page_rename_in_chromium(tmp_path: Path) -> None:
    if not (shutil.which("chromium") or Path("/usr/bin/chromium").exists()):
        pytest.skip("Chromium is absent: apt-get install -y chromium fonts-noto-cjk to run the browser check")
    pytest.importorskip("playwright")
    from voc import access
    from voc.store import Store

    built = build_workspace(tmp_path / "ws")
    with Store.open(built.ws.db_path) as store:
        access.add_user(store, "zhao", "branch", "correct horse battery", branch="朝阳支行")
        access.add_user(store, "ana", "analyst", "correct horse battery")
    proc = subprocess.run([sys.executable, str(ACCESS_SCRIPT), "--home", str(built.ws.home), "--out",
                           str(tmp_path / "shots"), "--port", "8596"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("ok  ") == 6, proc.stdout
