"""Huiyin settings: one module, read from the environment, safe development defaults.

Production values that are unsafe (debug on, default secret key) fail loudly.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("HUIYIN_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEV_SECRET_KEY = "huiyin-development-only-secret-key-do-not-use-in-production"
DEBUG = env_bool("HUIYIN_DEBUG", True)
SECRET_KEY = os.environ.get("HUIYIN_SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEV_SECRET_KEY:
    raise ImproperlyConfigured("HUIYIN_SECRET_KEY must be set when HUIYIN_DEBUG is off")
ALLOWED_HOSTS = env_list("HUIYIN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "ninja",  # serves the API docs' assets locally (no CDN on an intranet)
    "audit",
    "orgs",
    "workdays",
    "workflow",
    "cases",
    "transfer",
    "letters",
    "attachments",
    "reports",
    "api",
    "web",
    "proposals",  # the 议提案 category: its workflow declaration (proposals/spec.py)
    "console",
    "django_tasks",
    "django_tasks_db",
    "notify",  # notifications, the outbox and its channels (in-app, e-mail)
    "supervision",  # 督查督办: the supervision category (supervision/spec.py), its light, ratings and stars
    "lists",  # 清单化管理: rectification lists and project ledgers (lists/spec.py: the list_item category)
    "opinions",  # 群众意见建议: the public_opinion category (opinions/spec.py), its intake and statistics
    "reminders",  # 催办: deadlines' reminders, the escalation ladder, the morning run
    "portal",  # the proposer's side: signed links, their view of the case, their rating
    "disclosure",  # 公开: disclosed replies with personal data masked, the public page
    "similar",  # similar cases, 并案, the lead unit's routing suggestion
    "promises",  # 回头看: promises of B/C replies and "needs time" answers after closing
    "security",  # 等保三级: second factor, password history, sessions per user
    "ops",  # running it for real: serve, check-deploy, backups, health
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost after security: even an error page or a lockout carries the policy.
    "huiyin.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and JSON (not downloads) gzipped for a browser that asks (static files come precompressed from
    # WhiteNoise above, before this runs). Below the headers-only middleware above and above
    # everything that reads or writes a body, as Django's docs ask. Django adds random bytes
    # to each gzip header against BREACH (CSRF tokens and case data share a page).
    "huiyin.middleware.PageGZipMiddleware",
    # Django's, except that a session that could not be renewed does not cost a page view.
    "huiyin.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The working-day calendar read once a request, however many dates a page shows.
    "workdays.middleware.CalendarOncePerRequestMiddleware",
    # "系统正忙" (503) for a write that could not get SQLite's lock; no-store on pages;
    # the password change a user must make first.
    "huiyin.middleware.DatabaseBusyMiddleware",
    "huiyin.middleware.NoStoreMiddleware",
    # The second factor before any page, the absolute session lifetime and the sessions per
    # user (security/); then the password change; downloads, exports and refusals into the
    # security trail (audit/).
    "security.middleware.SecondFactorMiddleware",
    "huiyin.middleware.PasswordChangeRequiredMiddleware",
    "audit.middleware.SecurityTrailMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend that also refuses, and disables, an account unused for
    # HUIYIN_INACTIVE_DAYS (orgs/backends.py).
    "orgs.backends.PolicyBackend",
]

ROOT_URLCONF = "huiyin.urls"
WSGI_APPLICATION = "huiyin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "letters.context_processors.organisation",  # the commission's name
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'huiyin.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A fresh checkout has no var/ yet; SQLite cannot create the folder itself.
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers work while one writer commits; IMMEDIATE makes a write
    # transaction take the lock up front instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation costs more than it saves on our short aggregate queries (measured:
    # 350 of 500 ms of the yearly statistics over 100,000 cases).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("HUIYIN_TEST_DB_NAME") or None}
# On PostgreSQL, 我的待办's statements, the ledger's count and the case page's queries are
# planned once a connection (huiyin/plans.py), which keeps this many as prepared statements
# (about 165 KB each in the database's memory at 1M cases; the demo's 14 accounts' 我的待办
# are 153 statements). 0: none (behind a pooler that shares sessions per transaction).
HUIYIN_PLAN_CACHE = env_int("HUIYIN_PLAN_CACHE", 300)
# A connection dropped between requests is replaced before use, not found broken mid-write.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The list pages' covering indexes (INCLUDE …) are PostgreSQL's; SQLite builds them without
# the extra columns, which is all it can do: no warning about it on every start.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # At least 8 characters of three kinds; never the demo's password (orgs/passwords.py).
    {"NAME": "orgs.passwords.CharacterClassValidator"},
    {"NAME": "orgs.passwords.NotDemoPasswordValidator"},
    # None of the last HUIYIN_PASSWORD_HISTORY (it also keeps that history).
    {"NAME": "orgs.passwords.PasswordHistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# HUIYIN_STATIC_MANIFEST=1 (`make run` sets it, right after `huiyin collectstatic`): pages
# name static files by a hash of their content (huiyin.1a2b3c4d5e6f.css) and WhiteNoise
# serves them from STATIC_ROOT with gzip and brotli made at collect time, cached by the
# browser as immutable for good. An explicit switch, not "a manifest exists": a manifest
# left over from an earlier collect would make every page whose files changed since fail
# ("Missing staticfiles manifest entry"). Without it (tests, runserver, a fresh checkout)
# WhiteNoise serves the app folders' files directly under their plain names.
HUIYIN_STATIC_MANIFEST = env_bool("HUIYIN_STATIC_MANIFEST", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if HUIYIN_STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not HUIYIN_STATIC_MANIFEST
# Collected: only the hashed names (a plain name would be served, but cached for 60 s only);
# source maps, which only a developer's devtools fetch, are not compressed (collectstatic
# takes 10 s instead of 75 s: brotli at its best setting is slow on the 7 MB of maps).
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")
MEDIA_ROOT = Path(os.environ.get("HUIYIN_MEDIA_ROOT", VAR_DIR / "media"))
HUIYIN_UPLOAD_MAX_BYTES = env_int("HUIYIN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
HUIYIN_IMPORT_MAX_ROWS = env_int("HUIYIN_IMPORT_MAX_ROWS", 50_000)
HUIYIN_IMPORT_MAX_BYTES = env_int("HUIYIN_IMPORT_MAX_BYTES", 30 * 1024 * 1024)
# Every date a user or a file gives falls in these years (huiyin.dates): a typo such as
# 0001-01-01 is refused rather than stored.
HUIYIN_DATE_MIN_YEAR = env_int("HUIYIN_DATE_MIN_YEAR", 2000)
HUIYIN_DATE_MAX_YEAR = env_int("HUIYIN_DATE_MAX_YEAR", 2100)
if not 1 < HUIYIN_DATE_MIN_YEAR <= HUIYIN_DATE_MAX_YEAR < 9999:
    raise ImproperlyConfigured("HUIYIN_DATE_MIN_YEAR must not be after HUIYIN_DATE_MAX_YEAR")
# The commission's name as it appears on letters and reports.
HUIYIN_COMMISSION_NAME = os.environ.get("HUIYIN_COMMISSION_NAME", "市卫生健康委员会")

# The demo (`make run`): load_demo may run, and its accounts keep the password
# huiyin-demo. Without it a server refuses to start while an account still has it.
HUIYIN_DEMO = env_bool("HUIYIN_DEMO", False)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # 我的待办
LOGOUT_REDIRECT_URL = "login"

# 30 minutes of inactivity ends a session (within a minute): a request moves the stored
# expiry only when it would move by more than HUIYIN_SESSION_TOUCH_SECONDS, so that a page
# view writes nothing (huiyin.middleware.SessionMiddleware). The cookie lasts until the
# browser closes; the stored expiry is the idle timeout.
SESSION_COOKIE_AGE = env_int("HUIYIN_SESSION_SECONDS", 30 * 60)
HUIYIN_SESSION_TOUCH_SECONDS = env_int("HUIYIN_SESSION_TOUCH_SECONDS", 60)
# The similar-case index holds the newest this many 议提案 (similar/index.py).
HUIYIN_SIMILAR_MAX_CASES = env_int("HUIYIN_SIMILAR_MAX_CASES", 100_000)
if not 0 <= HUIYIN_SESSION_TOUCH_SECONDS < SESSION_COOKIE_AGE:
    raise ImproperlyConfigured("HUIYIN_SESSION_TOUCH_SECONDS must be below HUIYIN_SESSION_SECONDS")
SESSION_ENGINE = "huiyin.sessions"  # the database, with the time of the last save
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_SECURE = not DEBUG and env_bool("HUIYIN_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Lock a username at one address after 5 failures: a commission shares one
# outgoing address, so locking the address alone would lock everybody out.
AXES_FAILURE_LIMIT = env_int("HUIYIN_LOGIN_FAILURE_LIMIT", 5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = 0.5  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Failed attempts keep their POST data: never the password, a one-time code or a recovery code.
AXES_SENSITIVE_PARAMETERS = ["password", "code", "otp", "recovery_code"]

# 等保三级 (issue 16, docs/security.md). Not applied to the demo's own accounts under
# HUIYIN_DEMO, except the second factor of the three administrators.
# The second factor (TOTP) is always required for the 系统管理员, 安全管理员 and
# 审计管理员; HUIYIN_2FA_ROLES adds others (e.g. "leader,coordinator"; check-deploy wants
# leaders in production).
HUIYIN_2FA_ROLES = env_list("HUIYIN_2FA_ROLES", [])
# A password lives this many days (0: forever); the last N may not be chosen again.
HUIYIN_PASSWORD_MAX_AGE_DAYS = env_int("HUIYIN_PASSWORD_MAX_AGE_DAYS", 90)
HUIYIN_PASSWORD_HISTORY = env_int("HUIYIN_PASSWORD_HISTORY", 5)
# An account unused this many days is disabled (0: never).
HUIYIN_INACTIVE_DAYS = env_int("HUIYIN_INACTIVE_DAYS", 90)
# A session ends this long after its login, however active (besides the idle timeout), and a
# user may hold at most this many sessions at once (the oldest ends first; 0: no limit).
HUIYIN_SESSION_ABSOLUTE_SECONDS = env_int("HUIYIN_SESSION_ABSOLUTE_SECONDS", 12 * 3600)
HUIYIN_MAX_SESSIONS = env_int("HUIYIN_MAX_SESSIONS", 3)
# Audit events younger than this are never deleted; older ones only archived to a signed
# file (`huiyin audit archive`). 等保 asks at least six months.
HUIYIN_AUDIT_RETENTION_DAYS = env_int("HUIYIN_AUDIT_RETENTION_DAYS", 180)
if HUIYIN_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("HUIYIN_AUDIT_RETENTION_DAYS must be at least 180 (six months)")
# The audit key and the data keyring (huiyin/crypto.py): HUIYIN_AUDIT_KEY / HUIYIN_DATA_KEY,
# or else the files audit.key and data.key in this folder (`huiyin keys init`).
HUIYIN_KEY_DIR = Path(os.environ.get("HUIYIN_KEY_DIR", VAR_DIR))
# `huiyin backup` writes here and keeps the newest N copies.
HUIYIN_BACKUP_DIR = Path(os.environ.get("HUIYIN_BACKUP_DIR", VAR_DIR / "backups"))
HUIYIN_BACKUP_KEEP = env_int("HUIYIN_BACKUP_KEEP", 7)

# API tokens live this long (seconds).
HUIYIN_TOKEN_SECONDS = env_int("HUIYIN_TOKEN_SECONDS", 8 * 3600)

# E-mail (notify.channels.EmailChannel): SMTP when EMAIL_URL (smtp://user:pass@host:port,
# smtp+tls://… for STARTTLS, smtp+ssl://… for TLS from the start, console://) or EMAIL_HOST
# (with EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL) is
# set; the console (mail printed by the worker) only when neither is.
_EMAIL_SCHEMES = {  # scheme: (backend, default port, STARTTLS, SSL)
    "smtp": ("smtp", 25, False, False),
    "smtp+tls": ("smtp", 587, True, False),
    "smtp+ssl": ("smtp", 465, False, True),
    "smtps": ("smtp", 465, False, True),
    "console": ("console", 0, False, False),
}


def _email_from_url(url: str) -> dict[str, object]:
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme not in _EMAIL_SCHEMES:
        raise ImproperlyConfigured(f"EMAIL_URL must start with one of {sorted(_EMAIL_SCHEMES)}")
    backend, port, tls, ssl = _EMAIL_SCHEMES[parts.scheme]
    if backend == "smtp" and not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL names no host")
    try:
        port = parts.port or port
    except ValueError as exc:
        raise ImproperlyConfigured(f"EMAIL_URL has a bad port: {exc}") from exc
    return {
        "EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": tls,
        "EMAIL_USE_SSL": ssl,
    }


EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    globals().update(_email_from_url(EMAIL_URL))
elif os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["EMAIL_HOST"]
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if globals().get("EMAIL_USE_TLS") and globals().get("EMAIL_USE_SSL"):
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other")
# A send that hangs longer is a failure, retried later (below the outbox's lease).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "回音 <huiyin@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where the site is, for the links in mails (a mail cannot use a relative path).
HUIYIN_SITE_URL = os.environ.get("HUIYIN_SITE_URL", "http://127.0.0.1:8000")
# The outbox (notify.outbox): channels in use, attempts before a message is failed.
HUIYIN_NOTIFY_CHANNELS = env_list(
    "HUIYIN_NOTIFY_CHANNELS", ["notify.channels.InAppChannel", "notify.channels.EmailChannel"]
)
HUIYIN_NOTIFY_MAX_ATTEMPTS = env_int("HUIYIN_NOTIFY_MAX_ATTEMPTS", 8)
HUIYIN_NOTIFY_BACKOFF_CAP_MINUTES = env_int("HUIYIN_NOTIFY_BACKOFF_CAP_MINUTES", 60)
HUIYIN_NOTIFY_LEASE_SECONDS = env_int("HUIYIN_NOTIFY_LEASE_SECONDS", 300)
if HUIYIN_NOTIFY_MAX_ATTEMPTS < 1 or HUIYIN_NOTIFY_LEASE_SECONDS <= EMAIL_TIMEOUT:
    raise ImproperlyConfigured(
        "HUIYIN_NOTIFY_MAX_ATTEMPTS must be at least 1 and HUIYIN_NOTIFY_LEASE_SECONDS "
        "longer than EMAIL_TIMEOUT"
    )

# Background work (DESIGN.md §8): HUIYIN_TASKS=db (the default: a table of this database,
# run by `manage.py db_worker`), rq (Redis at HUIYIN_REDIS_URL, run by `manage.py rqworker`)
# or immediate (run inside the request that enqueues: tests, and a site without a worker).
HUIYIN_TASKS = os.environ.get("HUIYIN_TASKS", "db")
HUIYIN_REDIS_URL = os.environ.get("HUIYIN_REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
if HUIYIN_TASKS not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"HUIYIN_TASKS must be one of {sorted(_TASK_BACKENDS)}")
TASKS = {"default": _TASK_BACKENDS[HUIYIN_TASKS]}
if HUIYIN_TASKS == "rq":
    INSTALLED_APPS.append("django_rq")
RQ_QUEUES = {"default": {"URL": HUIYIN_REDIS_URL, "DEFAULT_TIMEOUT": 300}}
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}  # a plain `huiyin rqworker default` runs tasks too
# The scheduler process (`huiyin scheduler`, started by `make run`): the reminders' morning
# run at HUIYIN_REMIND_AT (HH:MM, Asia/Shanghai) on working days, and the outbox every
# minute. HUIYIN_SCHEDULER=off: no morning run (a site that runs `huiyin remind` by cron);
# the outbox sweep continues.
HUIYIN_SCHEDULER = env_bool("HUIYIN_SCHEDULER", True)
HUIYIN_REMIND_AT = os.environ.get("HUIYIN_REMIND_AT", "08:30")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HUIYIN_LOG_LEVEL", "WARNING")},
    # A server worker says when its similar-case index is ready (similar/index.py).
    "loggers": {"similar": {"level": os.environ.get("HUIYIN_LOG_LEVEL", "INFO")}},
}

# 群众意见建议 (opinions): the public page's limits (docs/public-opinions.md) and the weekly
# bulletin's floor (units whose rates fall below it are named).
HUIYIN_TRUSTED_PROXIES = env_list("HUIYIN_TRUSTED_PROXIES", [])
HUIYIN_PUBLIC_RATE_PER_ADDRESS = os.environ.get("HUIYIN_PUBLIC_RATE_PER_ADDRESS", "5/hour")
HUIYIN_PUBLIC_RATE_PER_PHONE = os.environ.get("HUIYIN_PUBLIC_RATE_PER_PHONE", "3/day")
HUIYIN_PUBLIC_PHOTO_MAX_BYTES = env_int("HUIYIN_PUBLIC_PHOTO_MAX_BYTES", 5 * 1024 * 1024)
try:
    HUIYIN_OPINION_RATE_FLOOR = float(os.environ.get("HUIYIN_OPINION_RATE_FLOOR") or 0.9)
except ValueError as exc:
    raise ImproperlyConfigured("HUIYIN_OPINION_RATE_FLOOR must be a number such as 0.9") from exc
if not 0 < HUIYIN_OPINION_RATE_FLOOR <= 1:
    raise ImproperlyConfigured("HUIYIN_OPINION_RATE_FLOOR must be above 0 and at most 1")

# The proposer's signed link (portal): how long a link lives, the base of the links handed
# out (empty: the request's own host), and whose rating through a link counts ("lead": the
# lead proposer's; "any": the first proposer to rate).
HUIYIN_PROPOSER_LINK_DAYS = env_int("HUIYIN_PROPOSER_LINK_DAYS", 90)
if not 1 <= HUIYIN_PROPOSER_LINK_DAYS <= 3660:
    raise ImproperlyConfigured("HUIYIN_PROPOSER_LINK_DAYS must be between 1 and 3660")
HUIYIN_PUBLIC_URL = os.environ.get("HUIYIN_PUBLIC_URL", "").strip().rstrip("/")
HUIYIN_COUNTED_RATING = os.environ.get("HUIYIN_COUNTED_RATING", "lead").strip().lower()
if HUIYIN_COUNTED_RATING not in ("lead", "any"):
    raise ImproperlyConfigured("HUIYIN_COUNTED_RATING must be lead or any")

# Running it for real (docs/deployment.md, `huiyin check-deploy`): HTTPS behind nginx.
# Development and the demo (plain http on the loopback) keep Django's defaults; production
# (debug off) gets a year of HSTS unless told otherwise. Browsers honour HSTS over HTTPS only.
HUIYIN_BEHIND_PROXY = env_bool("HUIYIN_BEHIND_PROXY", False)
if HUIYIN_BEHIND_PROXY:
    # nginx sets X-Forwarded-Proto (deploy/nginx-huiyin.conf); trust it only behind a proxy
    # that overwrites it, never on a server clients reach directly.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("HUIYIN_SSL_REDIRECT", HUIYIN_BEHIND_PROXY)
# A load balancer probes the server itself over plain http.
SECURE_REDIRECT_EXEMPT = [r"^livez$", r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("HUIYIN_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HUIYIN_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("HUIYIN_HSTS_PRELOAD", False)
if not SECURE_HSTS_PRELOAD:
    # An intranet name cannot be on the browsers' preload list: not a finding.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
# The site's own https origin(s), e.g. https://huiyin.wjw.example.cn (a form posted through a
# proxy that rewrites Host needs it).
CSRF_TRUSTED_ORIGINS = env_list("HUIYIN_CSRF_TRUSTED_ORIGINS", [])
if any(not origin.startswith(("https://", "http://")) for origin in CSRF_TRUSTED_ORIGINS):
    raise ImproperlyConfigured("HUIYIN_CSRF_TRUSTED_ORIGINS must list origins such as https://host")
# /healthz fails when the media or the database folder has less free space than this.
HUIYIN_HEALTH_MIN_FREE_MB = env_int("HUIYIN_HEALTH_MIN_FREE_MB", 512)
