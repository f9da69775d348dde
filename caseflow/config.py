"""Default settings. ``instance/config.py`` overrides them, then ``CASEFLOW_*`` env vars.

Every setting is documented in README.md ("Settings").
"""

from datetime import timedelta


class Defaults:
    # Security-critical: must be set outside the code in production (see create_app).
    SECRET_KEY: str | None = None

    # None means "instance/caseflow.sqlite"; the factory fills it in.
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 5000
    # CLI commands and other work outside a request begin write transactions too.
    SQLITE_IMMEDIATE_OUTSIDE_REQUESTS = True

    # The installation's default centre, created when first needed.
    DEFAULT_CENTRE_NAME = "Expat Centre Limburg"
    DEFAULT_CENTRE_CODE = "LIM"

    # Languages of the staff interface. Client-facing documents add French.
    LANGUAGES = ["en", "nl"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"

    # Sessions: 30 minutes idle, 12 hours at most, no remember-me cookie.
    IDLE_TIMEOUT = timedelta(minutes=30)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # None: Secure cookies whenever the app runs in production mode.
    SESSION_COOKIE_SECURE: bool | None = None
    # None: "__Host-session" when the cookie is Secure in production (the browser then
    # refuses it unless it came over https, for this exact host, for every path),
    # "session" otherwise (plain-http local use and tests).
    SESSION_COOKIE_NAME: str | None = None
    REMEMBER_COOKIE_DURATION = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = 12 * 3600

    # Passwords (argon2id; argon2-cffi's defaults meet ASVS v5).
    PASSWORD_MIN_LENGTH = 12
    PASSWORD_MAX_LENGTH = 128
    ARGON2_PARAMETERS: dict = {}

    # Brute-force protection (Flask-Limiter). Use redis:// in multi-worker production.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    LOGIN_FAILURES_PER_ACCOUNT = "100 per hour"
    LOGIN_FAILURES_PER_ADDRESS = "300 per hour"
    # Wrong current passwords on /profile/password, per user (then 429 with Retry-After).
    PASSWORD_CHANGE_FAILURES_PER_USER = "10 per hour"  # noqa: S105 (a rate limit)

    # A browser where the user logged in before carries a signed "known device" cookie:
    # its attempts count against this limit instead of the account's (OWASP device
    # cookies), so someone guessing an account cannot lock its owner out.
    LOGIN_FAILURES_PER_DEVICE = "20 per hour"
    DEVICE_COOKIE_NAME = "caseflow_device"
    DEVICE_COOKIE_LIFETIME = timedelta(days=365)
    # The user gets one email when their account's failed logins reach this many within
    # the period ("N per hour"), not one per failure.
    FAILED_LOGINS_ALERT = "10 per hour"
    # 429 responses carry Retry-After (and X-RateLimit-* headers).
    RATELIMIT_HEADERS_ENABLED = True

    # Second factor (TOTP). After the password, the code page waits this long.
    SECOND_FACTOR_PENDING_SECONDS = 300
    # Wrong codes in one pending login before it ends (the password is asked again).
    SECOND_FACTOR_MAX_ATTEMPTS = 5
    # Wrong codes per account (or per known device) across logins and re-authentications.
    SECOND_FACTOR_FAILURES_PER_ACCOUNT = "20 per hour"
    SECOND_FACTOR_ISSUER = "Caseflow"
    # Re-authentication (password, plus code when enrolled) before sensitive actions.
    REAUTH_WINDOW = timedelta(minutes=10)
    REAUTH_FAILURES_PER_USER = "20 per hour"
    # Calendar feeds: apps poll every 15 minutes to a few hours, so more than this per
    # address is not a calendar app; unknown addresses are counted per network address
    # (guessing a 256-bit token is hopeless; this keeps the lookups cheap for others).
    CALENDAR_FEED_PER_TOKEN = "60 per hour"  # noqa: S105 (a rate limit)
    CALENDAR_FEED_MISSES_PER_ADDRESS = "30 per hour"
    # The client's page (/p/<token>): a link works this many days (or until the case
    # closes, or a new link replaces it). Requests per network address, and a tighter
    # limit on addresses that open nothing (404 unknown, 410 expired/revoked).
    PORTAL_LINK_DAYS = 90
    # Retention deletes links that stopped working more than this many days ago.
    PORTAL_DEAD_LINK_KEEP_DAYS = 30
    PORTAL_REQUESTS_PER_ADDRESS = "30 per minute"
    PORTAL_MISSES_PER_ADDRESS = "20 per hour"
    # Event invitations (caseflow/events): the outbox sends at most this many a minute.
    EVENT_INVITATIONS_PER_MINUTE = 60
    # The online request form (/request, caseflow/webintake): requests sent per network
    # address (each one sent, and each one refused by the abuse checks; a form sent back
    # for corrections does not count), and every post of the form (adding a person
    # without JavaScript posts it too). A form sent sooner than MIN or later than MAX
    # seconds after it was opened is refused (robots are fast; the signed time is kept).
    WEB_REQUESTS_PER_ADDRESS = "5 per hour"
    WEB_REQUEST_POSTS_PER_ADDRESS = "60 per hour"
    WEB_REQUEST_MIN_SECONDS = 3
    WEB_REQUEST_MAX_SECONDS = 2 * 3600
    # Behind a reverse proxy: how many proxies set X-Forwarded-For/-Proto/-Host (0: none).
    # Without it every client has the proxy's address, and one address limit hits all.
    PROXY_FIX_HOPS = 0

    # Bootstrap is served from the Bootstrap-Flask package: the app works offline.
    BOOTSTRAP_SERVE_LOCAL = True

    # Where staff reach Caseflow: links in emails sent outside a request (reminders).
    PUBLIC_URL = "http://127.0.0.1:5000"

    # Email. Messages wait in the outbox table until delivered over SMTP.
    MAIL_SERVER = "localhost"
    MAIL_PORT = 8025
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Expat Centre Limburg <noreply@caseflow.example>"
    MAIL_TIMEOUT = 10  # seconds for one SMTP conversation step
    MAIL_MAX_ATTEMPTS = 6  # then the email is marked failed (an advisor can retry it)
    MAIL_RETRY_BASE_SECONDS = 60  # retries after 1, 2, 4, 8, 16 minutes
    # Bodies and attachments of sent emails are dropped after this (the row stays).
    SENT_MAIL_KEEP_DAYS = 30

    # Background work: `flask --app caseflow worker` (huey). None: a SQLite queue file
    # in instance/ (nothing else to run); "redis://host:6379/1" for several hosts.
    TASK_QUEUE_URL: str | None = None
    # Tests only: run each task in-process when it is queued (huey's immediate mode).
    TASKS_IMMEDIATE = False
    # Threads of the worker that run tasks (a bulk export occupies one while it runs).
    WORKER_THREADS = 2
    # The worker's schedule: "minute hour day month weekday" in SCHEDULE_TIMEZONE;
    # None or "" switches an entry off (e.g. when cron runs the CLI commands instead).
    SCHEDULE_TIMEZONE = "Europe/Brussels"
    SCHEDULE: dict = {
        "outbox_sweep": "* * * * *",  # due email, and exports whose worker died
        "reminders": "30 7 * * *",  # daily 07:30
        "digests": "0 7 * * 1",  # Monday 07:00
        "prune": "15 2 * * *",  # nightly: expired exports, old email bodies, login sessions
        # nightly: anonymise closed cases past the centre's retention, old audit rows,
        # expired exports, old email bodies, backups beyond BACKUP_KEEP
        "retention": "30 2 * * *",
        "backup": "45 2 * * *",  # nightly, keeping the last BACKUP_KEEP
        "team_figures": "*/5 * * * *",  # the team overview's figures (caseflow/team/figures.py)
        # the funder report's figures for the standard periods (caseflow/reports/figures.py);
        # every 15 minutes, between the team figures' runs and the nightly work
        "report_figures": "7,22,37,52 * * * *",
    }
    # The team overview shows the worker's figures while they are younger than this,
    # and counts live when they are older (or missing: no worker running).
    TEAM_FIGURES_MAX_AGE_MINUTES = 15
    # The funder report (this and last month, quarter and year) shows the worker's
    # figures while they are younger than this, and counts live when they are older or
    # missing. It also bounds how long an edit of past data takes to show there.
    REPORT_FIGURES_MAX_AGE_MINUTES = 60

    # PDFs: bulk exports of more cases than this run in the worker, with progress.
    EXPORT_INLINE_MAX = 5
    EXPORT_MAX_CASES = 500
    # Processes the worker starts to render a bulk export's PDFs (1: in its own).
    EXPORT_PROCESSES = 2
    # A finished export's ZIP is deleted after this many hours.
    EXPORT_KEEP_HOURS = 24
    # An export whose worker died is run again this many times at most, then failed.
    EXPORT_MAX_ATTEMPTS = 3
    # A queued or running export untouched for this long counts as stalled: the sweep
    # runs it again, and its page offers "Try again".
    EXPORT_STALLED_SECONDS = 300

    # The funder report's "key steps": checklist step keys (from the catalogue) per step.
    REPORT_KEY_STEPS: dict = {
        "registration": ["municipal-registration-third-country", "municipal-registration-eu"],
        "health_fund": ["health-fund-membership", "health-fund-children"],
        "bank_account": ["bank-account"],
    }
    # Counts below this are shown as "<5" in anything exported.
    REPORT_SUPPRESS_BELOW = 5

    # Backups (`flask backup`): encrypted with this key when set (at least 16 random
    # characters; keep it apart from the backups, e.g. in a password manager).
    BACKUP_KEY: str | None = None
    # Where `flask backup` without a path (and the worker's schedule) writes; None means
    # "instance/backups".
    BACKUP_DIR: str | None = None
    # How many backups `backup_to_directory` keeps there; older ones are deleted.
    BACKUP_KEEP = 14

    # Audit rows older than this are deleted by `flask audit prune` (a timedelta, or a
    # number of days, e.g. CASEFLOW_AUDIT_RETENTION=1826).
    AUDIT_RETENTION = timedelta(days=5 * 365 + 1)

    # The largest request body accepted (bytes): anything bigger gets the 413 page
    # before it is read. Forms are far smaller; routes that take a file accept
    # UPLOAD_MAX_MB (plus a small margin for the form) instead.
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    # Attached files (caseflow/attachments): where they are kept, outside the database
    # (None: "instance/files"; back it up with the database: `flask backup` does), and
    # the largest file accepted, in megabytes.
    UPLOAD_FOLDER: str | None = None
    UPLOAD_MAX_MB = 10

    CASES_PER_PAGE = 25
    # HSTS header max-age in production (seconds).
    HSTS_MAX_AGE = 31536000
