"""Screenshot a report HTML with headless Chromium, to look at it as a person would (CJK glyphs, charts).

Usage: python scripts/render_report_png.py REPORT.html OUT.png [--width 1280] [--height 4000]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


def render_png(html: Path, out: Path, width: int = 1280, height: int = 4000, timeout: float = 120) -> Path:
    """Render `html` to `out` with a throwaway profile and no network; raises RuntimeError on failure."""
    exe = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not exe:
        raise RuntimeError("chromium not found: apt-get install -y chromium fonts-noto-cjk")
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={profile}", f"--screenshot={out}", f"--window-size={width},{height}",
               html.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    if not out.exists():
        raise RuntimeError(f"chromium wrote no screenshot (exit {proc.returncode}): {proc.stderr[-500:]}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("html", type=Path)
    ap.add_argument("png", type=Path)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=4000)
    args = ap.parse_args()
    try:
        path = render_png(args.html, args.png, args.width, args.height)
    except (RuntimeError, subprocess.TimeoutExpired) as exc:
        sys.exit(f"error: {exc}")
    print(f"{path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
