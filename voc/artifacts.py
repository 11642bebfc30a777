"""Fitted artefacts are folders: config.json (constructor arguments) and manifest.json (what and from what).

Every saveable model writes and checks its manifest through here, so they all record the same fields: kind,
voc version, creation time, the fingerprint of the data it was fitted on, and library versions.
"""

from __future__ import annotations

import json
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from voc import __version__
from voc.errors import ConfigError

CONFIG = "config.json"
MANIFEST = "manifest.json"


def library_versions(*names: str) -> dict[str, str]:
    """Installed versions of the named distributions (missing ones left out)."""
    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def write_config(folder: Path | str, config: dict[str, Any]) -> Path:
    """Create the folder and write the constructor arguments."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / CONFIG, config)
    return out


def write_manifest(
    folder: Path | str, kind: str, fingerprint: Any, libraries: tuple[str, ...] = (), **extra: Any
) -> dict[str, Any]:
    """Write manifest.json last, so a folder with a manifest is a complete artefact."""
    manifest = {
        "kind": kind,
        "voc_version": __version__,
        "created_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"),
        "fingerprint": fingerprint,
        "libraries": library_versions(*libraries),
        **extra,
    }
    write_json(Path(folder) / MANIFEST, manifest)
    return manifest


def read_artifact(folder: Path | str, kind: str, what: str = "model") -> tuple[dict[str, Any], dict[str, Any]]:
    """(config, manifest) of a saved artefact, after checking it is complete and of the expected kind."""
    path = Path(folder)
    try:
        manifest = read_json(path / MANIFEST)
        config = read_json(path / CONFIG)
    except FileNotFoundError as exc:
        missing = Path(exc.filename or "").name
        raise ConfigError(f"{path} is not a saved {what} (no {missing}): fit and save one first") from exc
    if manifest.get("kind") != kind:
        raise ConfigError(f"{path} holds a {manifest.get('kind')!r} {what}, not {kind!r}")
    return config, manifest
