"""One folder holds all of voc's state: database, index, models, reports and settings."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from voc import artifacts
from voc.config import Settings, default_toml, load_settings
from voc.errors import WorkspaceError

log = logging.getLogger(__name__)

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
        """Create the folder layout and a voc.toml with fresh secrets; keeps an existing voc.toml.

        A folder voc creates is owner-only (0700) and voc.toml, which holds the salt and the API token, is
        0600 like the database.
        """
        path = resolve_home(home)
        try:
            if not path.exists():
                path.mkdir(parents=True, mode=0o700)
            for sub in ("index", "models", "reports"):
                (path / sub).mkdir(exist_ok=True)
            cfg = path / "voc.toml"
            if not cfg.exists():
                fd = os.open(cfg, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(default_toml())
        except OSError as exc:
            raise WorkspaceError(f"cannot create workspace {path}: {exc.strerror}") from exc
        ws = cls(path, load_settings(cfg))
        from voc.store import Store

        Store.open(ws.db_path).close()
        return ws

    @classmethod
    def open(cls, home: Path | str | None = None, create: bool = False) -> Workspace:
        """Open an initialised workspace; with create=True initialise it first if needed.

        Opening also tidies what killed commands left: half-written artefact folders and index files.
        """
        path = resolve_home(home)
        if not (path / "voc.toml").exists():
            if create:
                return cls.init(path)
            if path.exists() and not path.is_dir():
                raise WorkspaceError(f"{path} is a file, not a voc workspace folder")
            raise WorkspaceError(f"no voc workspace at {path}: run `voc init --home {path}` first")
        ws = cls(path, load_settings(path / "voc.toml"))
        ws.recover()
        return ws

    def recover(self) -> list[str]:
        """Clean or restore what killed writers left in models/, index/ and reports/ (logged)."""
        done: list[str] = []
        try:
            if self.config_path.stat().st_mode & 0o077:
                self.config_path.chmod(0o600)
            done += artifacts.recover(self.models_dir)
            done += artifacts.recover_files(self.index_dir, "index-*.faiss", "index_file")
            done += artifacts.recover(self.reports_dir, depth=1)
        except OSError as exc:  # a read-only workspace can still be read
            log.debug("cannot tidy %s: %s", self.home, exc)
        for line in done:
            log.warning("%s: %s", self.home, line)
        return done
