"""Shared fixtures: workspaces in tmp folders and the location of the shared evaluation data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or a clean skip where it is absent (e.g. outside the team's machines)."""
    if not (SHARED_DATA / "online_shopping_9_cats.csv").exists():
        pytest.skip("shared evaluation data (../shared/data) is not available")
    return SHARED_DATA


@pytest.fixture
def workspace(tmp_path: Path):
    from voc.workspace import Workspace

    return Workspace.init(tmp_path / "ws")
