"""The environment helpers behind config/settings.py: strict, and loud on bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from helpdesk.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    sqlite_database,
)

pytestmark = pytest.mark.embedded


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
def test_it_reads_true_booleans(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("HD_FLAG", raw)
    assert env_bool("HD_FLAG") is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "off", ""])
def test_it_reads_false_booleans(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("HD_FLAG", raw)
    assert env_bool("HD_FLAG", True) is False


def test_it_uses_the_default_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HD_FLAG", raising=False)
    monkeypatch.delenv("HD_NUMBER", raising=False)
    monkeypatch.delenv("HD_LIST", raising=False)
    assert env_bool("HD_FLAG", True) is True
    assert env_int("HD_NUMBER", 7) == 7
    assert env_list("HD_LIST", ["a"]) == ["a"]
    assert env_str("HD_TEXT", "x") == "x"


def test_it_refuses_a_boolean_it_cannot_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HD_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="HD_FLAG"):
        env_bool("HD_FLAG")


def test_it_reads_integers_and_refuses_bad_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HD_NUMBER", "42")
    assert env_int("HD_NUMBER", 1) == 42
    monkeypatch.setenv("HD_NUMBER", "forty")
    with pytest.raises(ImproperlyConfigured, match="HD_NUMBER must be an integer"):
        env_int("HD_NUMBER", 1)
    monkeypatch.setenv("HD_NUMBER", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("HD_NUMBER", 5, minimum=1)


def test_it_treats_an_empty_integer_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HD_NUMBER", " ")
    assert env_int("HD_NUMBER", 3) == 3


def test_it_splits_lists_on_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HD_LIST", " desk.example.com, ,api.example.com ")
    assert env_list("HD_LIST", []) == ["desk.example.com", "api.example.com"]
    monkeypatch.setenv("HD_LIST", "")
    assert env_list("HD_LIST", ["default"]) == []


def test_it_reads_secrets_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-from-file\n", encoding="utf-8")
    monkeypatch.setenv("HD_SECRET", "from-env")
    monkeypatch.setenv("HD_SECRET_FILE", str(secret))
    assert env_str("HD_SECRET") == "s3cr3t-from-file"


def test_it_fails_loudly_on_a_missing_secret_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HD_SECRET_FILE", str(tmp_path / "absent"))
    with pytest.raises(ImproperlyConfigured, match="HD_SECRET_FILE"):
        env_str("HD_SECRET")


def test_it_parses_a_postgres_url(tmp_path: Path) -> None:
    db = parse_database_url(
        "postgres://desk:p%40ss@db.internal:6543/help%20desk?sslmode=require", base_dir=tmp_path
    )
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("help desk", "desk", "p@ss")
    assert (db["HOST"], db["PORT"]) == ("db.internal", "6543")
    assert db["OPTIONS"] == {"sslmode": "require"}
    # Test databases come from template0 in UTF-8, so Persian text can be indexed.
    assert db["TEST"] == {"TEMPLATE": "template0", "CHARSET": "UTF8"}


@pytest.mark.parametrize("scheme", ["postgresql", "pgsql"])
def test_it_accepts_postgres_scheme_aliases(tmp_path: Path, scheme: str) -> None:
    db = parse_database_url(f"{scheme}://postgres@127.0.0.1/desk", base_dir=tmp_path)
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["NAME"] == "desk"
    assert db["PORT"] == ""


def test_it_parses_an_absolute_sqlite_url(tmp_path: Path) -> None:
    db = parse_database_url(f"sqlite:///{tmp_path}/desk/db.sqlite3", base_dir=Path("/srv"))
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == f"{tmp_path}/desk/db.sqlite3"


def test_it_resolves_a_relative_sqlite_url_against_the_project(tmp_path: Path) -> None:
    db = parse_database_url("sqlite:///var/db.sqlite3", base_dir=tmp_path)
    assert db["NAME"] == str(tmp_path / "var" / "db.sqlite3")


def test_it_opens_sqlite_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    options = sqlite_database(tmp_path / "x.sqlite3")["OPTIONS"]
    assert isinstance(options, dict)
    assert "journal_mode=WAL" in options["init_command"]
    assert "busy_timeout" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize("url", ["mysql://root@localhost/desk", "redis://127.0.0.1:6379/0", "x"])
def test_it_refuses_an_unsupported_database_url(tmp_path: Path, url: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="not supported"):
        parse_database_url(url, base_dir=tmp_path)


ROOT = Path(__file__).resolve().parent.parent
_PROBE = (
    "import json, config.settings as s; print(json.dumps({"
    "'debug': s.DEBUG, 'layer': s.CHANNEL_LAYERS['default']['BACKEND'],"
    "'engine': s.DATABASES['default']['ENGINE'], 'hosts': s.ALLOWED_HOSTS,"
    "'cache': s.CACHES['default']['BACKEND']}))"
)


def _settings_in_process(
    tmp_path: Path, probe: str = _PROBE, **env: str
) -> subprocess.CompletedProcess[str]:
    """Import config.settings in a fresh interpreter with exactly this environment."""
    base = {"PATH": os.environ.get("PATH", ""), "HELPDESK_VAR_DIR": str(tmp_path)}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_defaults_to_sqlite_the_in_process_layer_and_no_debug(tmp_path: Path) -> None:
    result = _settings_in_process(tmp_path)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["hosts"] == []
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["layer"] == "helpdesk.fanout_memory.FanoutMemoryChannelLayer"
    # Importing settings writes nothing: the run command creates the dev secret.
    assert list(tmp_path.iterdir()) == []


def test_it_reads_the_dev_secret_the_run_command_wrote(tmp_path: Path) -> None:
    (tmp_path / "secret_key.txt").write_text("dev-secret-from-run\n", encoding="utf-8")
    probe = "import config.settings as s; print(s.SECRET_KEY)"
    result = _settings_in_process(tmp_path, probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "dev-secret-from-run"


def test_it_uses_postgres_and_redis_when_configured(tmp_path: Path) -> None:
    result = _settings_in_process(
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1/desk",
        REDIS_URL="redis://127.0.0.1:6379/9",
        ALLOWED_HOSTS="desk.example.com",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["layer"] == "helpdesk.fanout.FanoutPubSubChannelLayer"
    assert values["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert values["hosts"] == ["desk.example.com"]


def test_it_selects_channels_redis_own_layers_and_refuses_unknown_ones(tmp_path: Path) -> None:
    redis = {"REDIS_URL": "redis://127.0.0.1:6379/9"}
    for name, backend in (
        ("pubsub", "channels_redis.pubsub.RedisPubSubChannelLayer"),
        ("core", "channels_redis.core.RedisChannelLayer"),
    ):
        result = _settings_in_process(tmp_path, CHANNEL_LAYER_BACKEND=name, **redis)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["layer"] == backend
    result = _settings_in_process(tmp_path, CHANNEL_LAYER_BACKEND="list", **redis)
    assert result.returncode != 0
    assert "CHANNEL_LAYER_BACKEND='list'" in result.stderr


def test_it_requires_a_secret_key_in_production(tmp_path: Path) -> None:
    result = _settings_in_process(tmp_path, HELPDESK_PRODUCTION="1")
    assert result.returncode != 0
    assert "SECRET_KEY is required in production" in result.stderr
    ok = _settings_in_process(tmp_path, **PRODUCTION_ENV)
    assert ok.returncode == 0, ok.stderr


GOOD_KEY = "q8Zr-Xw3fT0pLmN7vB2cYh9KsJ4dGaE6uRiO1tWnQzVxCbM5yHk"
PRODUCTION_ENV = {
    "HELPDESK_PRODUCTION": "1",
    "SECRET_KEY": GOOD_KEY,
    "HELPDESK_SECRETS_KEY": "s" + GOOD_KEY[::-1],
}


def test_it_refuses_debug_in_production(tmp_path: Path) -> None:
    result = _settings_in_process(tmp_path, DEBUG="1", **PRODUCTION_ENV)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG=1 is refused with HELPDESK_PRODUCTION=1" in result.stderr


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("django-insecure-" + GOOD_KEY, "well-known example"),
        ("changeme", "well-known example"),
        ("k" * 60, "too short or too simple"),
        (GOOD_KEY[:40], "too short or too simple"),
    ],
)
def test_it_refuses_a_weak_secret_key_in_production(tmp_path: Path, key: str, reason: str) -> None:
    result = _settings_in_process(tmp_path, **{**PRODUCTION_ENV, "SECRET_KEY": key})
    assert result.returncode != 0
    assert reason in result.stderr
    assert "ImproperlyConfigured" in result.stderr
    assert key not in result.stderr  # the message never repeats the secret


def test_it_requires_its_own_secrets_key_in_production(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "HELPDESK_SECRETS_KEY"}
    result = _settings_in_process(tmp_path, **env)
    assert result.returncode != 0
    assert "HELPDESK_SECRETS_KEY is required in production" in result.stderr
    # Outside production the secrets key still defaults to SECRET_KEY.
    probe = "import config.settings as s; print(s.HELPDESK_SECRETS_KEY == s.SECRET_KEY)"
    dev = _settings_in_process(tmp_path, probe, SECRET_KEY=GOOD_KEY)
    assert dev.stdout.strip() == "True", dev.stderr


def test_it_reads_the_https_settings(tmp_path: Path) -> None:
    probe = (
        "import json, config.settings as s; print(json.dumps([s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD,"
        " s.SECURE_PROXY_SSL_HEADER]))"
    )
    off = _settings_in_process(tmp_path, probe, **PRODUCTION_ENV)
    assert json.loads(off.stdout) == [False, 0, False, False, None], off.stderr
    on = _settings_in_process(
        tmp_path,
        probe,
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="1",
        SECURE_HSTS_PRELOAD="1",
        SECURE_PROXY_SSL_HEADER="1",
        **PRODUCTION_ENV,
    )
    assert json.loads(on.stdout) == [
        True,
        31536000,
        True,
        True,
        ["HTTP_X_FORWARDED_PROTO", "https"],
    ], on.stderr


def test_it_stops_on_a_malformed_setting(tmp_path: Path) -> None:
    result = _settings_in_process(tmp_path, DEBUG="sometimes")
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize(
    ("debug", "demo", "production", "shown"),
    [
        (True, False, False, True),
        (False, True, False, True),
        (False, False, False, False),
        (True, True, True, False),
    ],
)
def test_it_prints_the_demo_password_only_in_dev_or_demo_mode(
    settings: Any, debug: bool, demo: bool, production: bool, shown: bool
) -> None:
    from config.management.commands.rundesk import login_line

    settings.DEBUG, settings.HELPDESK_DEMO, settings.PRODUCTION = debug, demo, production
    line = login_line("http://127.0.0.1:8000/", "as admin with password s3cret-demo")
    assert line is not None
    assert ("s3cret-demo" in line) is shown
    assert login_line("http://127.0.0.1:8000/", None) is None


def test_it_mails_the_weekly_report_only_when_asked(tmp_path: Path) -> None:
    probe = "import config.settings as s; print(s.HELPDESK_REPORTS_WEEKLY_MAIL)"
    assert _settings_in_process(tmp_path, probe).stdout.strip() == "False"
    asked = _settings_in_process(tmp_path, probe, HELPDESK_REPORTS_WEEKLY_MAIL="true")
    assert asked.stdout.strip() == "True", asked.stderr
