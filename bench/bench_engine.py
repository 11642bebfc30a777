"""Ray vs local enrichment: the same workspace re-scored and re-embedded by each engine, side by side.

    python bench/bench_engine.py [--records 100000] [--root /tmp/voc-engine] [--workers 2] [--json PATH]

The sample generator writes the records, they are ingested and `voc sentiment train` fits the model once;
then each engine gets its own copy of that workspace with the vector index removed and runs
``voc enrich --all --engine ENGINE`` in its own process (time, peak RSS, records per second). The copies are
compared record by record afterwards: sentiment labels, complaint flags and process steps must be identical.
On one 2-core machine Ray cannot be faster (it adds process start-up and serialisation); the point is the
same answers and the path to a bank's cluster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import sys
from pathlib import Path
from typing import Any

from _common import ROOT, print_table, write_json
from bench_pipeline import SAMPLE_RECORDS, SOURCES, run

FIELDS = "id, sentiment_label, complaint, process_step, escalation"


def prepare(n: int, root: Path) -> Path:
    """A trained workspace of about ``n`` generated records (kept between runs of the benchmark)."""
    data, home = root / f"sample-{n}", root / f"trained-{n}"
    env = {**os.environ, "VOC_HOME": str(home)}
    if not (data / "MANIFEST.json").exists():
        run([sys.executable, "-m", "voc.sample", str(data), "--scale", f"{n / SAMPLE_RECORDS:.4f}"], env)
    if not (home / "models" / "sentiment" / "manifest.json").exists():
        shutil.rmtree(home, ignore_errors=True)
        run([sys.executable, "-m", "voc", "init"], env)
        for kind, path, extra in SOURCES:
            run([sys.executable, "-m", "voc", "ingest", kind, str(data / path), *extra], env)
        run([sys.executable, "-m", "voc", "sentiment", "train"], env)
    return home


def labels(home: Path) -> dict[str, tuple[Any, ...]]:
    with sqlite3.connect(home / "voc.db") as conn:
        return {r[0]: r[1:] for r in conn.execute(f"SELECT {FIELDS} FROM feedback")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--root", type=Path, default=Path("/tmp/voc-engine"))
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json")
    args = ap.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    os.chdir(ROOT)
    trained = prepare(args.records, args.root)
    rows: list[dict[str, Any]] = []
    answers: dict[str, dict[str, tuple[Any, ...]]] = {}
    for engine in ("local", "ray"):
        home = args.root / f"home-{engine}"
        shutil.rmtree(home, ignore_errors=True)
        shutil.copytree(trained, home)
        shutil.rmtree(home / "index", ignore_errors=True)
        extra = ["--workers", str(args.workers)] if engine == "ray" else []
        sec, rss, out = run([sys.executable, "-m", "voc", "enrich", "--all", "--engine", engine, *extra, "--json"],
                            {**os.environ, "VOC_HOME": str(home)})
        start = out.index("{") if out.startswith("{") else out.index("\n{") + 1  # Ray's log lines come first
        result, _ = json.JSONDecoder().raw_decode(out[start:])
        answers[engine] = labels(home)
        rows.append({"engine": engine, "records": result["records"], "indexed": result["indexed"],
                     "seconds": round(sec, 1), "records_per_s": round(result["records"] / sec),
                     "peak_rss_gb": round(rss, 2)})
        print(rows[-1], flush=True)
    differ = sum(answers["local"][k] != v for k, v in answers["ray"].items())
    for row in rows:
        row["differ_from_local"] = differ if row["engine"] == "ray" else 0
    machine = f"{os.cpu_count()} cores, {platform.python_version()}, Ray workers {args.workers}"
    print_table(f"enrichment engines ({machine})", rows)
    write_json(args.json, rows)


if __name__ == "__main__":
    main()
