"""Language choice and the formats every page uses (dd/mm/yyyy, Brussels time)."""

from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from flask import current_app, g, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from caseflow.core.countries import country_name

# The languages of pages a client sees (the request form, the client's own page):
# the staff languages plus French.
CLIENT_LANGUAGES = ("nl", "en", "fr")
CLIENT_LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English", "fr": "Français"}

View = TypeVar("View", bound=Callable)


def client_page(view: View) -> View:
    """Marks a view as client-facing: its language is chosen among nl/en/fr.

    The order: ``?lang=`` (remembered in the session), the session, then
    ``g.client_locale_default`` (set by a view that knows the client's language, e.g. the
    case's), then the browser's. A view that sets that default after Babel chose the
    locale calls ``flask_babel.refresh()``.
    """
    view.client_facing = True  # type: ignore[attr-defined]
    return view


def is_client_page() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "client_facing", False))


def select_client_locale() -> str:
    chosen = request.args.get("lang")
    if chosen in CLIENT_LANGUAGES:
        session["client_locale"] = chosen
        return chosen
    if session.get("client_locale") in CLIENT_LANGUAGES:
        return session["client_locale"]
    if g.get("client_locale_default") in CLIENT_LANGUAGES:
        return g.client_locale_default
    return request.accept_languages.best_match(CLIENT_LANGUAGES) or CLIENT_LANGUAGES[0]


def select_locale() -> str:
    """The user's chosen language, else the one picked on the login page, else the browser's.

    Client-facing pages (``@client_page``) choose among nl/en/fr instead.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if is_client_page():
        return select_client_locale()
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


def format_clock(value: datetime | None) -> str:
    """The time of day (HH:MM, in Brussels) of a stored naive UTC moment."""
    return format_datetime(value, "HH:mm") if value else ""


def init_app(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["clock"] = format_clock
    app.jinja_env.filters["iso_day"] = format_iso_day
    app.jinja_env.filters["country"] = lambda code: country_name(code, current_locale())
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.globals["client_language_names"] = CLIENT_LANGUAGE_NAMES
