"""End to end through the CLI at growing sizes: time and peak RSS of every step, so the growth curve shows.

    python bench/bench_pipeline.py [--records 100000,300000,1000000] [--root /tmp/voc-pipeline] [--json PATH]
                                   [--set max_training_rows=1000000000]

For each size the built-in sample generator writes that many records (``python -m voc.sample --scale``:
ratings, calls and social posts over 12 months, the sample's mix); then, each step its own ``voc`` process
in a fresh workspace: ingest (the five sources), ``sentiment train`` (fit, re-score, embed, index),
``enrich``, ``themes``, ``flags``, ``report``. Peak RSS is the step's own (``os.wait4``), so steps never
blur into each other; generating the data is timed apart and is not voc.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _common import ROOT, print_table, write_json

SAMPLE_RECORDS = 33_839  # records of the committed sample at --scale 1 (data/sample/MANIFEST.json)
SOURCES = (
    ("ratings", "ratings/app_store.csv", ["--source", "app_store", "--subtype", "app_store"]),
    ("ratings", "ratings/nps_survey.csv", ["--source", "nps_survey", "--subtype", "nps_survey"]),
    ("ratings", "ratings/branch_csat.jsonl", ["--source", "branch_csat"]),
    ("calls", "calls", ["--source", "hotline_calls"]),
    ("social", "social/posts.jsonl", ["--source", "social_listening"]),
)


def run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS in GB, stdout) of one child process; a failing step stops the benchmark with its output."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(args)} failed:\n{out.decode('utf-8', 'replace')[-3000:]}")
    return seconds, usage.ru_maxrss / 1024**2, out.decode("utf-8", "replace")  # Linux reports KiB


def configure(home: Path, settings: list[str]) -> None:
    """``key=value`` replaces the line ``key = ...`` of the new workspace's voc.toml (keys voc.toml has once)."""
    toml = home / "voc.toml"
    lines = toml.read_text("utf-8").splitlines()
    for item in settings:
        key, value = item.split("=", 1)
        hits = [i for i, line in enumerate(lines) if line.split("=")[0].strip() == key]
        if len(hits) != 1:
            sys.exit(f"--set {item}: voc.toml has {len(hits)} lines for {key}")
        lines[hits[0]] = f"{key} = {value}"
    toml.write_text("\n".join(lines) + "\n", "utf-8")


def pipeline(n: int, root: Path, settings: list[str]) -> list[dict[str, Any]]:
    data, home = root / f"sample-{n}", root / f"home-{n}"
    env = {**os.environ, "VOC_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    voc = [sys.executable, "-m", "voc"]
    rows: list[dict[str, Any]] = []
    if not (data / "MANIFEST.json").exists():
        sec, rss, _ = run([sys.executable, "-m", "voc.sample", str(data), "--scale", f"{n / SAMPLE_RECORDS:.4f}"], env)
        rows.append({"records": n, "step": "(generate data)", "seconds": round(sec, 1), "peak_rss_gb": round(rss, 2)})
    records = json.loads((data / "MANIFEST.json").read_text("utf-8"))["records"]["total"]
    shutil.rmtree(home, ignore_errors=True)
    run([*voc, "init"], env)
    configure(home, settings)
    total, peak = 0.0, 0.0
    for kind, path, extra in SOURCES:
        sec, rss, _ = run([*voc, "ingest", kind, str(data / path), *extra], env)
        total, peak = total + sec, max(peak, rss)
    steps = [("ingest", total, peak)]
    for name, cmd in (("sentiment train", ["sentiment", "train"]), ("enrich", ["enrich"]), ("themes", ["themes"]),
                      ("flags", ["flags"]), ("report", ["report"])):
        steps.append((name, *run([*voc, *cmd], env)[:2]))
    for name, sec, rss in steps:
        rows.append({"records": records, "step": name, "seconds": round(sec, 1), "peak_rss_gb": round(rss, 2)})
        print(rows[-1], flush=True)
    rows.append({"records": records, "step": "total (voc)", "seconds": round(sum(s for _, s, _ in steps), 1),
                 "peak_rss_gb": round(max(r for _, _, r in steps), 2)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", default="100000,300000,1000000")
    ap.add_argument("--root", type=Path, default=Path("/tmp/voc-pipeline"))
    ap.add_argument("--keep", action="store_true", help="keep the workspaces (default: delete each after its run)")
    ap.add_argument("--set", action="append", default=[], help="KEY=VALUE in voc.toml, e.g. max_training_rows=1e9")
    ap.add_argument("--json")
    args = ap.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    os.chdir(ROOT)
    rows: list[dict[str, Any]] = []
    for n in (int(x) for x in args.records.split(",")):
        rows.extend(pipeline(n, args.root, args.set))
        if not args.keep:
            shutil.rmtree(args.root / f"home-{n}", ignore_errors=True)
    machine = f"{os.cpu_count()} cores, {platform.python_version()}"
    print_table(f"pipeline through the CLI ({machine})", rows)
    write_json(args.json, rows)


if __name__ == "__main__":
    main()
