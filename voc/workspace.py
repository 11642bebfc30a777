"""One folder holds all of voc's state: database, index, models, reports and settings."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from voc.config import Settings, default_toml, load_settings
from voc.errors import WorkspaceError

DEFAULT_HOME = "voc-home"


def resolve_home(home: Path | str | None) -> Path:
    """--home, else $VOC_HOME, else ./voc-home."""
    if home:
        return Path(home).expanduser().resolve()
    env = os.environ.get("VOC_HOME")
    return Path(env).expanduser().resolve() if env else Path(DEFAULT_HOME).resolve()


@dataclass(frozen=True)
class Workspace:
    """Paths of a workspace and its settings; opening never creates anything unless asked."""

    home: Path
    settings: Settings

    @property
    def db_path(self) -> Path:
        return self.home / "voc.db"

    @property
    def config_path(self) -> Path:
        return self.home / "voc.toml"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"

    @classmethod
    def init(cls, home: Path | str | None = None) -> Workspace:
        """Create the folder layout and a voc.toml with fresh secrets; keeps an existing voc.toml."""
        path = resolve_home(home)
        try:
            path.mkdir(parents=True, exist_ok=True)
            for sub in ("index", "models", "reports"):
                (path / sub).mkdir(exist_ok=True)
            cfg = path / "voc.toml"
            if not cfg.exists():
                cfg.write_text(default_toml(), encoding="utf-8")
        except OSError as exc:
            raise WorkspaceError(f"cannot create workspace {path}: {exc.strerror}") from exc
        ws = cls(path, load_settings(cfg))
        from voc.store import Store

        Store.open(ws.db_path).close()
        return ws

    @classmethod
    def open(cls, home: Path | str | None = None, create: bool = False) -> Workspace:
        """Open an initialised workspace; with create=True initialise it first if needed."""
        path = resolve_home(home)
        if not (path / "voc.toml").exists():
            if create:
                return cls.init(path)
            raise WorkspaceError(f"no voc workspace at {path}: run `voc init --home {path}` first")
        return cls(path, load_settings(path / "voc.toml"))
