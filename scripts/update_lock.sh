#!/usr/bin/env bash
# Recompile requirements.lock (exact versions and sha256 hashes of every dependency) from requirements.txt.
# The project itself (-e .) stays out of the lock: hash-checking mode refuses editable installs, so the lock is
# installed with --require-hashes and the project after it with `pip install --no-deps -e .`.
set -euo pipefail
cd "$(dirname "$0")/.."
grep -v '^-e ' requirements.txt > .requirements.in
trap 'rm -f .requirements.in' EXIT
pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
    --output-file requirements.lock .requirements.in
sed -i 's#\.requirements\.in#requirements.txt#g' requirements.lock
