"""Caseflow: case management for welcome services for international newcomers."""

from pathlib import Path

from flask import Flask

from caseflow.config import Defaults

ROOT = Path(__file__).resolve().parent.parent

# Secret keys that must never protect a real installation.
KNOWN_BAD_SECRETS = frozenset({"dev", "change-me", "changeme", "secret", "development"})
MIN_SECRET_LENGTH = 32


class ConfigurationError(RuntimeError):
    """The app refuses to start with an unsafe configuration."""


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CASEFLOW")
    else:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{Path(app.instance_path) / 'caseflow.sqlite'}"
        )
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "files")
    _check_production_config(app)

    from caseflow.core.web import IdConverter

    app.url_map.converters["id"] = IdConverter
    _init_extensions(app)
    _register_blueprints(app)

    from caseflow import cli, worker
    from caseflow.attachments.storage import install_session_hooks
    from caseflow.auth import notifications
    from caseflow.mail.services import queue_email

    notifications.init_app(app, queue=queue_email)
    cli.init_app(app)
    install_session_hooks()
    worker.init_app(app)
    hops = int(app.config["PROXY_FIX_HOPS"])
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


def _check_production_config(app: Flask) -> None:
    from caseflow.core.web import is_production

    production = is_production(app)
    if app.config.get("SESSION_COOKIE_SECURE") is None:
        app.config["SESSION_COOKIE_SECURE"] = production
    _session_cookie_name(app, production)
    if not production:
        app.config["SECRET_KEY"] = app.config.get("SECRET_KEY") or "dev-only-not-secret"
        return
    secret = app.config.get("SECRET_KEY")
    if not secret or secret.lower() in KNOWN_BAD_SECRETS or len(secret) < MIN_SECRET_LENGTH:
        raise ConfigurationError(
            "Caseflow will not start without a strong SECRET_KEY in production. "
            f"Set CASEFLOW_SECRET_KEY (at least {MIN_SECRET_LENGTH} random characters), e.g. "
            "with: python -c 'import secrets; print(secrets.token_urlsafe(48))', "
            "or put SECRET_KEY = '...' in instance/config.py."
        )


HOST_PREFIX = "__Host-"


def _session_cookie_name(app: Flask, production: bool) -> None:
    """``__Host-session`` in production: only over https, only this host, path ``/``."""
    if not app.config.get("SESSION_COOKIE_NAME"):
        secure = app.config["SESSION_COOKIE_SECURE"]
        app.config["SESSION_COOKIE_NAME"] = (
            f"{HOST_PREFIX}session" if production and secure else "session"
        )
    if app.config["SESSION_COOKIE_NAME"].startswith(HOST_PREFIX):
        # The prefix's rules; a browser drops the cookie when one of them is broken.
        if not app.config["SESSION_COOKIE_SECURE"] or app.config.get("SESSION_COOKIE_DOMAIN"):
            raise ConfigurationError(
                f"A {HOST_PREFIX} session cookie must be Secure and have no Domain: set "
                "SESSION_COOKIE_SECURE and leave SESSION_COOKIE_DOMAIN empty, or choose "
                "another SESSION_COOKIE_NAME."
            )
        app.config["SESSION_COOKIE_PATH"] = "/"


def _init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from caseflow import models  # noqa: F401  (every model registered before use)
    from caseflow.core import database, i18n, tasks, web
    from caseflow.extensions import (
        babel,
        bootstrap,
        csrf,
        db,
        limiter,
        login_manager,
        mail,
        migrate,
    )

    db.init_app(app)
    database.configure_sqlite(app)
    tasks.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    bootstrap.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    i18n.init_app(app)
    web.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from caseflow import main
    from caseflow.admin.routes import bp as admin_bp
    from caseflow.attachments.routes import bp as attachments_bp
    from caseflow.audit.routes import bp as audit_bp
    from caseflow.auth.routes import bp as auth_bp
    from caseflow.calendar.routes import bp as calendar_bp
    from caseflow.cases.routes import bp as cases_bp
    from caseflow.checklists.admin_routes import bp as checklist_admin_bp
    from caseflow.checklists.routes import bp as checklists_bp
    from caseflow.contacts.routes import bp as contacts_bp
    from caseflow.documents.routes import bp as documents_bp
    from caseflow.events.case_routes import bp as event_consent_bp
    from caseflow.events.public_routes import bp as event_invite_bp
    from caseflow.events.routes import bp as events_bp
    from caseflow.followups.routes import bp as followups_bp
    from caseflow.mail.routes import bp as mail_bp
    from caseflow.notes.routes import bp as notes_bp
    from caseflow.partners.routes import bp as partners_bp
    from caseflow.portal.routes import bp as portal_bp
    from caseflow.portal.staff_routes import bp as portal_staff_bp
    from caseflow.privacy.erasure_routes import bp as erasure_bp
    from caseflow.privacy.export_routes import bp as privacy_export_bp
    from caseflow.privacy.notice_routes import bp as privacy_notice_bp
    from caseflow.reports.routes import bp as reports_bp
    from caseflow.reviews.routes import bp as reviews_bp
    from caseflow.team.routes import bp as team_bp
    from caseflow.webintake.routes import bp as webintake_bp

    for blueprint in (
        main.bp,
        auth_bp,
        cases_bp,
        checklists_bp,
        notes_bp,
        followups_bp,
        admin_bp,
        checklist_admin_bp,
        documents_bp,
        mail_bp,
        reviews_bp,
        team_bp,
        reports_bp,
        audit_bp,
        privacy_notice_bp,
        privacy_export_bp,
        calendar_bp,
        erasure_bp,
        attachments_bp,
        portal_bp,
        portal_staff_bp,
        webintake_bp,
        events_bp,
        event_consent_bp,
        event_invite_bp,
        partners_bp,
        contacts_bp,
    ):
        app.register_blueprint(blueprint)
