"""tsunagi settings. Everything that differs between installations comes from the environment.

Development and `make demo` run with the defaults (SQLite under ./var, DEBUG on).
Production sets TSUNAGI_PRODUCTION=1 and must then provide SECRET_KEY, DATABASE_URL and
TSUNAGI_ALLOWED_HOSTS; the settings refuse to load with a default secret or DEBUG on.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("TSUNAGI_DATA_DIR", Path.cwd() / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = _env_bool("TSUNAGI_PRODUCTION", False)
DEFAULT_SECRET_KEY = "tsunagi-development-only-secret-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
DEBUG = _env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = _env_list("TSUNAGI_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = _env_list("TSUNAGI_CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    problems = []
    if SECRET_KEY == DEFAULT_SECRET_KEY or len(SECRET_KEY) < 32:
        problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if DEBUG:
        problems.append("DEBUG must be off")
    if not ALLOWED_HOSTS:
        problems.append("TSUNAGI_ALLOWED_HOSTS must name the host(s) served")
    if not os.environ.get("DATABASE_URL"):
        problems.append("DATABASE_URL must point at the PostgreSQL database")
    if problems:
        raise ImproperlyConfigured("tsunagi refuses to start in production: " + "; ".join(problems))
    SESSION_COOKIE_SECURE = _env_bool("TSUNAGI_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "tsunagi.web",
    "tsunagi.access",
    "tsunagi.jurisdictions",
    "tsunagi.agencies",
    "tsunagi.accounts",
    "tsunagi.people",
    "tsunagi.consent",
    "tsunagi.meetings",
    "tsunagi.plans",
    "tsunagi.referrals",
    "tsunagi.supporters",
    "tsunagi.directory",
    "tsunagi.oversight",
    "tsunagi.figures",
    "tsunagi.demo",
    "tsunagi.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tsunagi.api.nul.RefuseNulMiddleware",
]

ROOT_URLCONF = "tsunagi.urls"
WSGI_APPLICATION = "tsunagi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tsunagi.web.context_processors.navigation",
            ],
            "builtins": ["tsunagi.web.templatetags.wareki"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'tsunagi.sqlite3'}",
        conn_max_age=int(os.environ.get("TSUNAGI_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Short OLTP queries: PostgreSQL's JIT compiler costs more (hundreds of ms on a large
    # estimated plan) than it ever saves here. Statistics run on their own connection settings.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_AGE = int(os.environ.get("TSUNAGI_SESSION_SECONDS", str(8 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = os.environ.get(
    "TSUNAGI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tsunagi@localhost")
# rule P5: also e-mail the owning agency's managers when information is shared without consent
TSUNAGI_NOTIFY_BY_EMAIL = os.environ.get("TSUNAGI_NOTIFY_BY_EMAIL", "") in ("1", "true", "yes")

# A login is refused for a while after this many failures in a row (the audit log keeps them all).
TSUNAGI_LOGIN_MAX_FAILURES = int(os.environ.get("TSUNAGI_LOGIN_MAX_FAILURES", "5"))
TSUNAGI_LOGIN_LOCK_MINUTES = int(os.environ.get("TSUNAGI_LOGIN_LOCK_MINUTES", "15"))
# API tokens expire after this many days.
TSUNAGI_TOKEN_DAYS = int(os.environ.get("TSUNAGI_TOKEN_DAYS", "30"))
# Aggregates never show a figure built from fewer people than this (access.md).
# One cache shared by every application server (the public pages, htmx fragments): a table in
# the database, created by the directory's migration, so nothing keeps state in a process.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "tsunagi_cache",
        "TIMEOUT": 300,
    }
}

TSUNAGI_MIN_CELL = int(os.environ.get("TSUNAGI_MIN_CELL", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TSUNAGI_LOG_LEVEL", "WARNING")},
}
