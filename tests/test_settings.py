"""Production mode refuses to start with a default secret or DEBUG on.

Settings come from the environment; a subprocess loads them as gunicorn would.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

CHECK = "import django; django.setup(); print('started')"


def run(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    base |= {"DJANGO_SETTINGS_MODULE": "tsunagi.settings"} | env
    return subprocess.run(
        [sys.executable, "-c", CHECK], env=base, capture_output=True, text=True, timeout=60
    )


GOOD = {
    "TSUNAGI_PRODUCTION": "1",
    "SECRET_KEY": "x" * 50,
    "TSUNAGI_ALLOWED_HOSTS": "tsunagi.example.lg.jp",
    "DATABASE_URL": "postgres://tsunagi@localhost/tsunagi",
}


def test_production_starts_with_proper_settings() -> None:
    result = run(GOOD)
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": "1"}, "DEBUG"),
        ({"TSUNAGI_ALLOWED_HOSTS": ""}, "TSUNAGI_ALLOWED_HOSTS"),
        ({"DATABASE_URL": ""}, "DATABASE_URL"),
    ],
)
def test_production_refuses_unsafe_settings(override: dict[str, str], message: str) -> None:
    env = GOOD | override
    env = {k: v for k, v in env.items() if v != "" or k == "TSUNAGI_ALLOWED_HOSTS"}
    result = run(env)
    assert result.returncode != 0
    assert "refuses to start in production" in result.stderr
    assert message in result.stderr


def test_development_defaults_start() -> None:
    result = run({"TSUNAGI_PRODUCTION": "0"})
    assert result.returncode == 0, result.stderr
