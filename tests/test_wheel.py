"""An installed wheel (not the checkout) carries the lexicons and runs the demo with the bank dictionary."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_a_built_wheel_runs_the_demo_with_the_bank_dictionary(tmp_path: Path) -> None:
    dist, site, src = tmp_path / "dist", tmp_path / "site", tmp_path / "src"
    # build from a copy: an in-tree build leaves build/ and egg-info folders in the checkout
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".*", "build", "*.egg-info", "__pycache__", "data",
                                                            "bench", "tests", "docs"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist),
                    str(src)], check=True, capture_output=True)
    wheel = next(dist.glob("voc-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"lexicons/bank_terms.txt", "lexicons/process_taxonomy.yaml", "voc/py.typed", "voc/__main__.py"} <= names
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(site)}  # the wheel's copy comes before the editable checkout

    def run(*args: str) -> str:
        proc = subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=1200)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    where = run("-c", "import voc, lexicons; print(voc.__file__); print(lexicons.__file__)").split()
    assert all(p.startswith(str(site)) for p in where), where
    cut = "from voc.text.segment import get_segmenter; print(get_segmenter().cut('个人养老金账户被莫名扣款'))"
    tokens = run("-c", cut)
    assert "个人养老金账户" in tokens  # one word only with the bank dictionary
    out = run("-m", "voc", "demo", "--home", str(tmp_path / "ws"))
    assert "themes;" in out and "report:" in out
