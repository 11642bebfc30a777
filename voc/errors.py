"""Named errors: each says what went wrong in the user's terms, so the CLI can print one line."""

from __future__ import annotations


class VocError(Exception):
    """Base of every error voc raises on purpose; the CLI turns these into a one-line message."""


class ConfigError(VocError):
    """voc.toml is missing a value, has a wrong type, or names something that does not exist."""


class WorkspaceError(VocError):
    """The workspace folder is missing, not initialised, or not writable."""


class IngestError(VocError):
    """An input file or source cannot be read at all (single bad rows are quarantined instead)."""


class NotFittedError(VocError):
    """A model was used before fit() or load()."""


class StoreError(VocError):
    """The database is unusable: newer schema than this voc, corrupt file, or a failed write."""
