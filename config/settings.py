"""Tongxin settings: one module, driven by environment variables, failing closed.

Imports nothing of our apps. Development values come from var/.env (written by `make run`);
a real environment variable always wins over that file.
"""

import os
from email.utils import getaddresses, quote
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TONGXIN_VAR_DIR", BASE_DIR / "var"))


def _load_env_file(path: Path) -> None:
    """Read KEY=VALUE lines (development only); the process environment takes precedence."""
    if not path.is_file():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip())


_load_env_file(Path(os.environ.get("TONGXIN_ENV_FILE", VAR_DIR / ".env")))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Tongxin refuses to start without it "
            "(set DJANGO_DEBUG=1 only on a development machine)."
        )
    SECRET_KEY = "development-only-not-a-secret"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "mediation",
    "counselors",
    "reports",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_tasks_db",
    "axes",
    "ninja",
]

MIDDLEWARE = [
    "config.server_timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "mediation.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "mediation.middleware.RequestIdMiddleware",
    "mediation.middleware.ApiMiddleware",
    "axes.middleware.AxesMiddleware",
    "config.db_router.StatisticsReadsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mediation.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tongxin.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
# The application connects as a role that owns nothing (SELECT, INSERT, UPDATE, DELETE only, and
# neither UPDATE nor DELETE on the audit trail), so it cannot drop the trail's triggers;
# `manage.py migrate` connects as the owner given here and grants the app's role what it needs
# (docs/operations.md, 'Database roles'). Unset: one role does both (SQLite, development).
DATABASE_MIGRATE_URL = os.environ.get("DATABASE_MIGRATE_URL", "")
TONGXIN_DATABASE_OWNER: dict[str, str] = {}
TONGXIN_DATABASE_APP_ROLE = ""
if DATABASE_MIGRATE_URL:
    _owner = dj_database_url.parse(DATABASE_MIGRATE_URL)
    TONGXIN_DATABASE_OWNER = {
        key: str(_owner[key]) for key in ("USER", "PASSWORD", "HOST", "PORT") if _owner.get(key)
    }
    TONGXIN_DATABASE_APP_ROLE = str(DATABASES["default"].get("USER") or "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several writers (web and task worker) share the file: take the write lock at BEGIN so a
    # transaction never fails half-way on "database is locked"; WAL lets readers go on.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not memory, for the test database: the browser tests' live server reads it from
    # another thread, as the real server would.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-tongxin.sqlite3")}
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # secure_delete: freed row versions are overwritten with zeros, so deleted personal data
        # leaves no trace in the file's free pages (docs/privacy.md).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
        ),
    }

# A province's statistics read from a streaming replica (docs/scaling.md): set
# DATABASE_REPLICA_URL (with ?connect_timeout=2, so an unreachable replica fails fast).
# Reads fall back to the primary while the replica lags more than TONGXIN_REPLICA_MAX_LAG
# seconds or its lag is unknown; the lag is asked every TONGXIN_REPLICA_LAG_CHECK seconds.
TONGXIN_REPLICA_ALIAS = ""
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    TONGXIN_REPLICA_ALIAS = "replica"
TONGXIN_REPLICA_MAX_LAG = float(os.environ.get("TONGXIN_REPLICA_MAX_LAG", "30"))
TONGXIN_REPLICA_LAG_CHECK = float(os.environ.get("TONGXIN_REPLICA_LAG_CHECK", "5"))
TONGXIN_REPLICA_NAMESPACES = ["reports"]
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]

# Server-Timing on every response (total and database time): load tests read it.
TONGXIN_SERVER_TIMING = env_bool("TONGXIN_SERVER_TIMING", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "mediation.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, except that the superuser flag grants nothing.
    "mediation.backends.RoleBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "mediation.passwords.LocalWordsValidator"},
]

# A new account's or a reset password is temporary: changed at first sign-in, refused after this.
TONGXIN_TEMPORARY_PASSWORD_DAYS = int(os.environ.get("TONGXIN_TEMPORARY_PASSWORD_DAYS", "3"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("TONGXIN_PLAIN_STATIC")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
REPORT_ARCHIVE_DIR = Path(os.environ.get("TONGXIN_REPORT_DIR", VAR_DIR / "reports"))
# Statistics reports as official documents (docs/reports.md): who issues them, the letterhead
# (empty: the authorities' names), the document number (文号) pattern with {year} and {number},
# and the address the report names for its archive page (empty: https:// + the first host).
REPORT_AUTHORITY = os.environ.get("TONGXIN_REPORT_AUTHORITY", "盘锦市民政局")
REPORT_JOINT_AUTHORITIES = env_list("TONGXIN_REPORT_JOINT_AUTHORITIES", "盘锦市妇女联合会")
REPORT_LETTERHEAD = os.environ.get("TONGXIN_REPORT_LETTERHEAD", "")
REPORT_NUMBER_PATTERN = os.environ.get(
    "TONGXIN_REPORT_NUMBER_PATTERN", "盘民调〔{year}〕{number}号"
)
SITE_URL = os.environ.get("TONGXIN_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TONGXIN_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Shared tablets in the mediation room: a session ends after 30 idle minutes.
# Database sessions that know their user, so all of one user's sessions can be ended at once.
SESSION_ENGINE = "mediation.session_store"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Rotation notices by email: printed on a development machine, SMTP in production.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "TONGXIN_EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": {
            key: value
            for key, value in {
                "host": os.environ.get("TONGXIN_SMTP_HOST"),
                "port": int(os.environ["TONGXIN_SMTP_PORT"])
                if os.environ.get("TONGXIN_SMTP_PORT")
                else None,
                "username": os.environ.get("TONGXIN_SMTP_USER"),
                "password": os.environ.get("TONGXIN_SMTP_PASSWORD"),
                "use_tls": env_bool("TONGXIN_SMTP_TLS", True) if not DEBUG else None,
            }.items()
            if value is not None
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("TONGXIN_FROM_EMAIL", "tongxin@localhost")
SERVER_EMAIL = os.environ.get("TONGXIN_SERVER_EMAIL", DEFAULT_FROM_EMAIL)


def parse_admins(value: str) -> list[str]:
    """DJANGO_ADMINS, e.g. "Wang Min <wm@example.cn>, ops@example.cn": the addresses that get
    error mail in production. A malformed entry stops the start-up instead of losing mail."""
    if not value.strip():
        return []
    admins = []
    for name, address in getaddresses([value]):
        local, _at, domain = address.partition("@")
        if not (local and domain) or " " in address:
            raise ImproperlyConfigured(
                f"DJANGO_ADMINS holds an entry without a valid e-mail address: {value!r}"
            )
        admins.append(f'"{quote(name)}" <{address}>' if name else address)
    return admins


ADMINS = parse_admins(os.environ.get("DJANGO_ADMINS", ""))
MANAGERS = ADMINS

# SMS reminders to parties (docs/registry.md): the file backend writes var/sms/outbox.jsonl and
# sends nothing; production sets the provider's backend and credentials from the environment.
TONGXIN_SMS = {
    "BACKEND": os.environ.get("TONGXIN_SMS_BACKEND", "mediation.sms.backends.file.FileBackend"),
    "SIGNATURE": os.environ.get("TONGXIN_SMS_SIGNATURE", "同心调解"),
    "REMINDER_HOUR": int(os.environ.get("TONGXIN_SMS_REMINDER_HOUR", "10")),
    "CALLBACK_SECRET": os.environ.get("TONGXIN_SMS_CALLBACK_SECRET", ""),
    "OPTIONS": {
        key[len("TONGXIN_SMS_OPTION_") :].lower(): value
        for key, value in os.environ.items()
        if key.startswith("TONGXIN_SMS_OPTION_")
    },
    "TEMPLATES": {
        "session_reminder": os.environ.get("TONGXIN_SMS_TEMPLATE_SESSION", ""),
        "follow_up_reminder": os.environ.get("TONGXIN_SMS_TEMPLATE_FOLLOW_UP", ""),
    },
}

# Sealed data (SECURITY.md): the key ring never lives in the database or the repository.
TONGXIN_KEY_FILE = os.environ.get("TONGXIN_KEY_FILE", "")
# `aes` (AES-256-GCM, HMAC-SHA256) or `sm` (SM4-GCM, HMAC-SM3: GB/T 39786-2021). The ring's active
# keys must be of this suite; `manage.py keys rotate` moves older values over.
TONGXIN_CRYPTO_SUITE = os.environ.get("TONGXIN_CRYPTO_SUITE", "aes").strip().lower()
if TONGXIN_CRYPTO_SUITE not in {"aes", "sm"}:
    raise ImproperlyConfigured(
        f"TONGXIN_CRYPTO_SUITE is {TONGXIN_CRYPTO_SUITE!r}: use 'aes' or 'sm' (the national "
        "algorithms SM4 and SM3)."
    )
# The audit trail's head, signed, outside the database: an append-only file (keep it where the
# database's users cannot write) and a line on the `tongxin.audit` logger for a collector.
TONGXIN_AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("TONGXIN_AUDIT_CHECKPOINT_FILE", VAR_DIR / "audit-checkpoints.log")
)
TONGXIN_DEMO_PASSWORD = "tongxin-demo-2026"

# Retention (PIPL arts. 19 and 47; docs/privacy.md): days after a case is closed that each record
# class is kept, then `manage.py purge` crypto-shreds it (the statistics' plain fields stay).
# Override one with TONGXIN_RETENTION_<CLASS>_DAYS, e.g. TONGXIN_RETENTION_NOTES_DAYS=1095.
RETENTION_DEFAULT_DAYS = {
    "identity": 3 * 365,  # names, ID numbers, phones, addresses, corrections, referral reasons
    "screening": 365,  # domestic-violence screening answers
    "notes": 3 * 365,  # session notes, their revisions, drafts and addenda
    "attachments": 3 * 365,  # scanned papers
    "signatures": 3 * 365,  # finger signatures (the proof of consent)
    "audit": 3 * 365,  # audit events: archived offline after this, never under 180 days
}
TONGXIN_RETENTION_DAYS = {
    name: int(os.environ.get(f"TONGXIN_RETENTION_{name.upper()}_DAYS", days))
    for name, days in RETENTION_DEFAULT_DAYS.items()
}
# After counselling consent is withdrawn, the party's personal data is deleted this many days
# later unless the person asks to keep it (docs/privacy.md).
TONGXIN_ERASURE_GRACE_DAYS = int(os.environ.get("TONGXIN_ERASURE_GRACE_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TONGXIN_LOG_LEVEL", "WARNING")},
    "loggers": {
        "tongxin": {"level": "INFO"},
        # A signed checkpoint line per committed request: for the collector in production.
        "tongxin.audit": {
            "level": os.environ.get("TONGXIN_AUDIT_LOG_LEVEL", "WARNING" if DEBUG else "INFO")
        },
        "django.security": {"level": "WARNING"},
    },
}

TONGXIN_SITE_NAME = _("Tongxin marriage and family mediation")
