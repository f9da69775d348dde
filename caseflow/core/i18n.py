"""Language choice and the formats every page uses (dd/mm/yyyy, Brussels time)."""

from datetime import date, datetime

from flask import current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from caseflow.core.countries import country_name


def select_locale() -> str:
    """The user's chosen language, else the one picked on the login page, else the browser's."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or languages[0]


def current_locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def format_day(value: date | None) -> str:
    return format_date(value, "dd/MM/yyyy") if value else ""


def format_iso_day(value: str | None) -> str:
    """A date stored as ISO text (in history rows) shown as dd/mm/yyyy."""
    if not value:
        return ""
    try:
        return format_day(date.fromisoformat(value))
    except ValueError:
        return value


def format_moment(value: datetime | None) -> str:
    # Stored naive UTC; Flask-Babel converts to BABEL_DEFAULT_TIMEZONE (Brussels).
    return format_datetime(value, "dd/MM/yyyy HH:mm") if value else ""


def init_app(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["iso_day"] = format_iso_day
    app.jinja_env.filters["country"] = lambda code: country_name(code, current_locale())
    app.jinja_env.globals["current_locale"] = current_locale
