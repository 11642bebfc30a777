from __future__ import annotations

from pathlib import Path

import pytest

from voc.config import Settings, load_settings, parse_settings
from voc.errors import ConfigError, WorkspaceError
from voc.workspace import Workspace, resolve_home


def test_defaults_when_file_missing(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "voc.toml") == Settings()


def test_init_writes_settings_with_fresh_secrets(tmp_path: Path) -> None:
    a = Workspace.init(tmp_path / "a")
    b = Workspace.init(tmp_path / "b")
    assert a.settings.privacy.salt and a.settings.privacy.salt != b.settings.privacy.salt
    assert a.settings.api.token
    for sub in ("index", "models", "reports"):
        assert (a.home / sub).is_dir()
    assert a.db_path.exists()


def test_init_keeps_existing_settings(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "w")
    again = Workspace.init(tmp_path / "w")
    assert again.settings.privacy.salt == ws.settings.privacy.salt


def test_unknown_key_is_an_error_naming_it() -> None:
    with pytest.raises(ConfigError, match="unknown setting 'treshold'"):
        parse_settings({"sentiment": {"treshold": 0.3}})


def test_wrong_type_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"ingest\]\.batch_size: expected int"):
        parse_settings({"ingest": {"batch_size": "many"}})


def test_int_accepted_for_float() -> None:
    assert parse_settings({"sentiment": {"negative_threshold": -1}}).sentiment.negative_threshold == -1.0


def test_sources_parsed_with_options() -> None:
    s = parse_settings({"sources": [{"name": "app", "kind": "ratings", "path": "/x", "scale": "star5"}]})
    assert s.sources[0].name == "app" and s.sources[0].options == {"scale": "star5"}
    with pytest.raises(ConfigError, match="unique"):
        parse_settings({"sources": [{"name": "a", "kind": "ratings"}, {"name": "a", "kind": "calls"}]})


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "voc.toml"
    path.write_text("[ingest\nbatch_size = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"voc\.toml"):
        load_settings(path)


def test_home_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOC_HOME", str(tmp_path / "env"))
    assert resolve_home(None) == (tmp_path / "env").resolve()
    assert resolve_home(tmp_path / "opt") == (tmp_path / "opt").resolve()
    monkeypatch.delenv("VOC_HOME")
    monkeypatch.chdir(tmp_path)
    assert resolve_home(None) == (tmp_path / "voc-home").resolve()


def test_open_uninitialised_workspace_explains(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="voc init"):
        Workspace.open(tmp_path / "none")


def test_retired_setting_is_ignored_not_an_error() -> None:
    s = parse_settings({"themes": {"assign_threshold": 0.35, "min_theme_size": 20}})
    assert s.themes.min_theme_size == 20


def test_artifact_of_the_wrong_kind_or_incomplete_is_named(tmp_path: Path) -> None:
    from voc.artifacts import read_artifact, write_config, write_manifest

    folder = write_config(tmp_path / "m", {"a": 1})
    with pytest.raises(ConfigError, match=r"no manifest\.json"):
        read_artifact(folder, "theme_model")
    manifest = write_manifest(folder, "corpus_w2v_sif", "abc", ("numpy",))
    assert manifest["voc_version"] and "numpy" in manifest["libraries"]
    with pytest.raises(ConfigError, match="'corpus_w2v_sif' model, not 'theme_model'"):
        read_artifact(folder, "theme_model")
    assert read_artifact(folder, "corpus_w2v_sif") == ({"a": 1}, manifest)


COMMENTED_OUT = {("alerts", "smtp_starttls"), ("alerts", "smtp_user"), ("alerts", "smtp_password_env")}


def test_default_toml_writes_every_setting_at_its_dataclass_default() -> None:
    import dataclasses
    import tomllib

    from voc.config import Settings, default_toml

    written = tomllib.loads(default_toml())
    defaults = dataclasses.asdict(Settings())
    defaults.pop("sources")
    for section, values in defaults.items():
        for key, value in values.items():
            if (section, key) in (("privacy", "salt"), ("api", "token")):
                assert written[section][key] and written[section][key] != value  # a fresh secret
            elif (section, key) in COMMENTED_OUT:
                assert key not in written[section] and key in default_toml()
            else:
                assert written[section][key] == value, f"{section}.{key}"
    assert default_toml() != default_toml()  # new secrets each time
