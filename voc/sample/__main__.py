"""``python -m voc.sample OUT_DIR [--seed N] [--scale X]`` regenerates the committed sample."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from voc.sample import DEFAULT_SEED, generate


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate, and print one line per file so the regeneration is visible in a diff."""
    parser = argparse.ArgumentParser(prog="python -m voc.sample", description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    manifest = generate(args.out_dir, seed=args.seed, scale=args.scale)
    for name, info in manifest["files"].items():
        print(f"{name:28s} {info['records']:>7d} records {info['bytes'] / 1e6:8.2f} MB")
    print(f"{'total':28s} {manifest['records']['total']:>7d} records "
          f"{sum(f['bytes'] for f in manifest['files'].values()) / 1e6:8.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
