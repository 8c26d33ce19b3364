"""Dealwatch settings, read from the environment.

The defaults need no services (SQLite, Celery eager, console email) so that `make run` works on
a fresh machine. Production sets DEBUG=0 and the variables listed in .env.example.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    """`name` from the environment as a boolean; unset or empty gives `default`. Anything but
    these words (any case) stops start-up: a typo like "ture" silently read as False would
    turn off what the operator meant to turn on."""
    true_words, false_words = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in true_words:
        return True
    if value in false_words:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a boolean: use one of {', '.join(true_words)} "
        f"(true) or {', '.join(false_words)} (false), or leave it unset."
    )


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

DEVELOPMENT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
# Keys that were ever written down where anyone can read them.
PUBLIC_SECRET_KEYS = {DEVELOPMENT_SECRET_KEY, "change-me-to-a-long-random-string"}
MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def secret_key_problem(key: str) -> str:
    """Why `key` cannot sign production's links and sessions; "" when it can. Whoever knows the
    key can forge every signed link, so a published or guessable one is refused."""
    if not key:
        return "is not set"
    if key in PUBLIC_SECRET_KEYS or key.startswith(("change-me", "django-insecure-")):
        return "is a published placeholder"
    if len(key) < 50 or len(set(key)) < 5:  # the bar of Django's own check (security.W009)
        return "is too short or too simple (at least 50 characters, not repetitive)"
    return ""


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG and secret_key_problem(SECRET_KEY):
    raise ImproperlyConfigured(
        f"SECRET_KEY {secret_key_problem(SECRET_KEY)}. With DEBUG off the site refuses to start "
        f"without a random key of its own: make one with {MAKE_A_KEY} and set SECRET_KEY in "
        "the environment (see .env.example)."
    )
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address of the site, used for absolute links in emails and feeds.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_filters",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "deals",
    "ingest",
    "subscriptions",
    "accounts",
    "api",
    "demo",
    "bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tracker.db_resilience.RetryOnLostConnectionMiddleware",  # before anything that reads the db
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "deals.cache.EditorCookieMiddleware",  # tells caches which requests are an editor's
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"

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
            ],
        },
    },
    # The list rows (deals/jinja2/deals/), put in by the Django templates'
    # {% cachedfor ... using %}: deals/rows.py says why. Only apps' jinja2/ folders are read.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "deals.rows.environment"},
    },
]

# Connections are kept for 60 s; CONN_HEALTH_CHECKS tests a kept one at the start of each request
# and replaces it when the server dropped it meanwhile (a restart, a fail-over, an idle timeout).
# A connection lost during a request: tracker/db_resilience.py (retried once, else a 503).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis when there is one (rate limits are then shared by every web process), else local memory.
# REDIS_URL is the Celery broker's Redis (maxmemory-policy noeviction: a queued email is never
# dropped). The cache (pages, fragments, figures, rate-limit counters) belongs in a Redis of its
# own, CACHE_REDIS_URL, with a memory limit and LRU eviction (docker-compose.yml's `cache`), so
# that no amount of cached pages can fill the broker's memory; unset, it is REDIS_URL (one box).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "") or REDIS_URL
# Seconds the cache may take to connect or answer before a page is computed from the database
# instead, and seconds it is then left alone before it is tried again (deals/cache.py).
CACHE_REDIS_TIMEOUT = float(os.environ.get("CACHE_REDIS_TIMEOUT", "0.25"))
CACHE_RETRY_SECONDS = float(os.environ.get("CACHE_RETRY_SECONDS", "5"))
CACHES = {
    "default": (
        {
            # Django's Redis cache that answers a miss instead of an error (deals/cache.py).
            "BACKEND": "deals.cache.FailSafeRedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_REDIS_TIMEOUT,
                "socket_timeout": CACHE_REDIS_TIMEOUT,
            },
        }
        if CACHE_REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- The admin's sign-in (django-axes, accounts app) --------------------------------------
# Failed sign-ins are counted per username and, separately, per client address: either reaching
# the limit locks sign-in for that account (from anywhere) or from that address (for anyone)
# until the cool-off ends or an editor unlocks it (Axes › Access attempts › Unlock).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("ADMIN_LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("ADMIN_LOGIN_LOCKOUT_MINUTES", "60"))
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "tracker.client_ip.client_ip"
AXES_VERBOSE = False
# Whole public pages and shared aggregates are cached under a content version that every write
# bumps (deals/cache.py); on by default in production, off under `make run` and in tests.
PAGE_CACHE = env_bool("PAGE_CACHE", not DEBUG)
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# Rendered fragments (a deal's row in a list, a deal's timeline), shared by every page showing
# them, under the same content version; what a page not in the page cache is assembled from.
FRAGMENT_CACHE = env_bool("FRAGMENT_CACHE", not DEBUG)
# How long after a write the counts over whole tables (facets, choices, the front page's figures)
# may still be served from before it, while one request in that time counts again: the rows of
# a list are never from before a write (deals/cache.py `cached`). 0: counted after every write.
AGGREGATE_STALE_SECONDS = int(os.environ.get("AGGREGATE_STALE_SECONDS", "0" if DEBUG else "60"))
# How long browsers may reuse a page without asking (they revalidate by ETag).
PAGE_CACHE_MAX_AGE = int(os.environ.get("PAGE_CACHE_MAX_AGE", "0"))
# How long a shared cache in front (nginx, a CDN) may serve a public page without asking, and
# how much longer it may serve it while it asks again: a public edit shows within their sum.
PAGE_SHARED_MAX_AGE = int(os.environ.get("PAGE_SHARED_MAX_AGE", "60"))
PAGE_STALE_SECONDS = int(os.environ.get("PAGE_STALE_SECONDS", "30"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")  # collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Email: console by default; SMTP in production (EMAIL_HOST etc.); EMAIL_BACKEND overrides.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Dealwatch <alerts@dealwatch.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no REDIS_URL tasks run eagerly in the calling process (the `make run` default).
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Task results (the ingest and digest summary lines) are kept a day in Redis, for inspection.
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE

# --- Public API (api app) -----------------------------------------------------------------
# Read-only JSON, anonymous; lists page by cursor (api/pagination.py).
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_FILTER_BACKENDS": ["api.filters.FilterSetBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.KeysetPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "URL_FORMAT_OVERRIDE": None,
    "DEFAULT_METADATA_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dealwatch API",
    "DESCRIPTION": "Deals, the antitrust inquiries into them, their events, companies and "
    "regulators. Read-only; the lists take the same filters as the site's pages and page by "
    "cursor (follow `next`).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name for a choice set several fields share (a phase's and an inquiry's).
    "ENUM_NAME_OVERRIDES": {
        "DatePrecisionEnum": "deals.vocabulary.DatePrecision",
        "DeadlineSourceEnum": "deals.vocabulary.DeadlineSource",
    },
}

# --- Ingest (ingest app) ------------------------------------------------------------------
# Each source's schedule and page limit are its module's (ingest/sources/), read from the
# environment by name: INGEST_<NAME>_EVERY (minutes; 0 leaves it unscheduled) and
# INGEST_<NAME>_PAGES, e.g. INGEST_FTC_HSR_EVERY=180, INGEST_CMA_PAGES=2 (docs/ingest.md;
# `manage.py ingest --settings` lists them). INGEST_EVERY_<NAME> is the deprecated spelling.
# The beat entries are added by tracker/celery.py from the same registry.
INGEST_HTTP_TIMEOUT = float(os.environ.get("INGEST_HTTP_TIMEOUT", "30"))  # any one read
# The whole of one fetch (redirects and body): a server trickling bytes is given up on.
INGEST_HTTP_DEADLINE = float(os.environ.get("INGEST_HTTP_DEADLINE", "300"))
INGEST_MAX_RESPONSE_BYTES = int(os.environ.get("INGEST_MAX_RESPONSE_MB", "80")) * 1024 * 1024
# The SEC's fair-access rules: who is asking, with a contact address ("Dealwatch
# admin@example.org"). The sec-edgar source refuses to fetch without it (docs/ingest-sec-edgar.md).
SEC_USER_AGENT = os.environ.get("SEC_USER_AGENT", "").strip()
INGEST_TASK_SOFT_TIME_LIMIT = int(os.environ.get("INGEST_TASK_SOFT_TIME_LIMIT", "1500"))
INGEST_TASK_TIME_LIMIT = INGEST_TASK_SOFT_TIME_LIMIT + 120
INGEST_FAILURES_FLAGGED_AFTER = int(os.environ.get("INGEST_FAILURES_FLAGGED_AFTER", "3"))
# Deals ingest creates are marked for review; set 0 to also keep them off the public site.
INGEST_PUBLISH_NEW_DEALS = env_bool("INGEST_PUBLISH_NEW_DEALS", True)

# --- Statuses (docs/statuses.md) ----------------------------------------------------------
# An informal look or market study with no event for this long reads as dormant and no longer
# makes a deal "under informal scrutiny". Statuses that depend on it are refreshed daily.
INFORMAL_LOOK_DORMANT_AFTER_DAYS = int(os.environ.get("INFORMAL_LOOK_DORMANT_AFTER_DAYS", "365"))

# /stats/ figures are cached per filter this long (seconds).
STATS_CACHE_SECONDS = int(os.environ.get("STATS_CACHE_SECONDS", "300"))
# /stats/ sums stored per-year rows (deals/stats.py), rebuilt by beat after a content change at
# most every STATS_EVERY_MINUTES, so up to that long (plus a build) behind, as the page says;
# 0 turns them off (every figure computed per request).
STATS_EVERY_MINUTES = int(os.environ.get("STATS_EVERY_MINUTES", "5"))
STATS_BEAT_SCHEDULE: dict = (
    {
        "stats-refresh": {
            "task": "deals.tasks.refresh_stats_figures",
            "schedule": crontab(minute=f"*/{STATS_EVERY_MINUTES}"),
        }
    }
    if STATS_EVERY_MINUTES > 0
    else {}
)
STATUS_BEAT_SCHEDULE: dict = {
    "statuses-refresh": {
        "task": "deals.tasks.refresh_time_dependent_statuses",
        "schedule": crontab(hour=3, minute=17),
    }
}

# --- CSV exports (deals/exports.py) -------------------------------------------------------
# The unfiltered /deals/export.csv and /inquiries/export.csv are files built by a beat task
# under EXPORTS_DIR (the web app and the worker must share it), rebuilt after a content change
# at most every EXPORTS_EVERY_MINUTES, so up to that long (plus a build) behind; 0 turns them
# off (every CSV streams from the database). Until a first file exists the CSV streams too.
EXPORTS_DIR = Path(os.environ.get("EXPORTS_DIR") or BASE_DIR / "var" / "exports")
EXPORTS_EVERY_MINUTES = int(os.environ.get("EXPORTS_EVERY_MINUTES", "10"))
EXPORTS_BEAT_SCHEDULE: dict = (
    {"exports-refresh": {"task": "deals.tasks.refresh_full_exports", "schedule": crontab()}}
    if EXPORTS_EVERY_MINUTES > 0
    else {}
)

# --- Subscriptions and digests (subscriptions app) ----------------------------------------
# Times are in TIME_ZONE. docs/subscriptions.md explains each setting.

DIGEST_IMMEDIATE_EVERY_MINUTES = int(os.environ.get("DIGEST_IMMEDIATE_EVERY_MINUTES", "5"))
DIGEST_DAILY_AT = os.environ.get("DIGEST_DAILY_AT", "07:00")  # HH:MM
DIGEST_WEEKLY_DAY = os.environ.get("DIGEST_WEEKLY_DAY", "mon")  # sun, mon, ... sat
DIGEST_SWEEP_EVERY_MINUTES = int(os.environ.get("DIGEST_SWEEP_EVERY_MINUTES", "10"))
# A delivery still pending this long after it was created is sent again by the sweeper.
DIGEST_STALE_AFTER_MINUTES = int(os.environ.get("DIGEST_STALE_AFTER_MINUTES", "30"))
DIGEST_MAX_ATTEMPTS = int(os.environ.get("DIGEST_MAX_ATTEMPTS", "5"))
# Subscribers prepared, rendered and sent together: one set of queries and one SMTP connection
# per batch. A hard kill mid-batch can send its sent messages again, so not thousands.
DIGEST_BATCH_SIZE = int(os.environ.get("DIGEST_BATCH_SIZE", "200"))
# Celery tasks sharing a digest run, each taking the subscribers whose id modulo this is its own.
DIGEST_WORKERS = int(os.environ.get("DIGEST_WORKERS", "1"))
if not 1 <= DIGEST_WORKERS <= 31:  # DigestRun.parts_done holds a bit per worker
    raise ImproperlyConfigured("DIGEST_WORKERS must be between 1 and 31")
# Events that happened longer ago than this when a digest is built are history, not news: a
# backfill (the EC's whole dump, a case's old change notes) must not flood the subscribers.
DIGEST_MAX_EVENT_AGE_DAYS = int(os.environ.get("DIGEST_MAX_EVENT_AGE_DAYS", "90"))
# Subscribe requests allowed per client IP and per email address in SUBSCRIBE_LIMIT_WINDOW s.
SUBSCRIBE_LIMIT_PER_IP = int(os.environ.get("SUBSCRIBE_LIMIT_PER_IP", "20"))
SUBSCRIBE_LIMIT_PER_ADDRESS = int(os.environ.get("SUBSCRIBE_LIMIT_PER_ADDRESS", "5"))
SUBSCRIBE_LIMIT_WINDOW = int(os.environ.get("SUBSCRIBE_LIMIT_WINDOW", "3600"))
# How long the manage link in an email works (every email has a fresh one; anyone can ask for
# one by email). Unsubscribe links keep working; confirmation links work 7 days.
SUBSCRIPTION_MANAGE_LINK_DAYS = int(os.environ.get("SUBSCRIPTION_MANAGE_LINK_DAYS", "30"))
# Behind N reverse proxies the client IP is the Nth address from the right of X-Forwarded-For
# (tracker/client_ip.py): for the subscribe limits and the admin's lock-outs alike.
# SUBSCRIBE_TRUSTED_PROXY_COUNT is its older name.
TRUSTED_PROXY_COUNT = int(
    os.environ.get("TRUSTED_PROXY_COUNT") or os.environ.get("SUBSCRIBE_TRUSTED_PROXY_COUNT") or "0"
)

_daily_hour, _daily_minute = (int(part) for part in DIGEST_DAILY_AT.split(":"))
DIGEST_BEAT_SCHEDULE: dict = {
    "digests-immediately": {
        "task": "subscriptions.tasks.send_digests",
        "schedule": crontab(minute=f"*/{DIGEST_IMMEDIATE_EVERY_MINUTES}"),
        "args": ("immediately",),
    },
    "digests-daily": {
        "task": "subscriptions.tasks.send_digests",
        "schedule": crontab(hour=_daily_hour, minute=_daily_minute),
        "args": ("daily",),
    },
    "digests-weekly": {
        "task": "subscriptions.tasks.send_digests",
        "schedule": crontab(hour=_daily_hour, minute=_daily_minute, day_of_week=DIGEST_WEEKLY_DAY),
        "args": ("weekly",),
    },
    "digests-sweep": {
        "task": "subscriptions.tasks.sweep_digests",
        "schedule": crontab(minute=f"*/{DIGEST_SWEEP_EVERY_MINUTES}"),
    },
}

# Ingest's entries (one per scheduled source) are added by tracker/celery.py.
CELERY_BEAT_SCHEDULE = {
    **DIGEST_BEAT_SCHEDULE,
    **STATUS_BEAT_SCHEDULE,
    **EXPORTS_BEAT_SCHEDULE,
    **STATS_BEAT_SCHEDULE,
}

# --- Browser policies (docs/security.md) -------------------------------------------------
# Scripts and styles come only from our own static files: nothing inline, so text that got
# past escaping still could not run. Emails are not pages and keep their inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # No upgrade-insecure-requests: every address on a page is relative, and it would break
        # trying docker-compose over http://localhost.
    }
}
# Nothing on the site needs these; no page, nor anything that gets into one, may ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    ]
}
# --- Benchmark (bench/run.py) -------------------------------------------------------------
# Serves /bench/ok/, an empty view through the same middleware, for the page ratios.
BENCH_EMPTY_VIEW = env_bool("BENCH_EMPTY_VIEW", False)

# --- Production hardening -----------------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # 0 when the proxy that ends TLS redirects to HTTPS itself. Cookies stay secure either way:
    # browsers accept secure cookies from http://localhost, so trying the site locally works.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a hard-to-undo choice for a whole domain: opt in explicitly.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
