"""Re-authentication before sensitive actions (password, plus code when enrolled).

``@requires_recent_login()`` under the route's access check: unless the user entered
their password within ``REAUTH_WINDOW``, a GET goes to ``/reauth`` and comes back; a
POST is not carried out: the browser goes back to the form page (``back``) through
``/reauth``, with a message saying to submit again (nothing is lost silently).
"""

import time
from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _

from caseflow.core.urls import safe_next

AUTH_AT = "auth_at"


def mark_authenticated() -> None:
    """The user has just proved who they are (login or re-authentication)."""
    session[AUTH_AT] = time.time()


def recently_authenticated() -> bool:
    at = session.get(AUTH_AT)
    window = current_app.config["REAUTH_WINDOW"].total_seconds()
    return isinstance(at, int | float) and 0 <= time.time() - at <= window


def referrer_path() -> str | None:
    """The page the form was posted from, when it is one of ours."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(path)


def ask_for_reauthentication(back: str | None = None):
    """The redirect to ``/reauth``, returning to ``back`` (default: this page)."""
    if request.method == "GET":
        target = safe_next(request.full_path.rstrip("?")) or url_for("main.home")
    else:
        target = safe_next(back) or referrer_path() or url_for("main.home")
        flash(
            _("Please confirm it is you. Nothing was changed yet: submit the form again after."),
            "warning",
        )
    return redirect(url_for("auth.reauth", next=target))


def requires_recent_login(back: Callable[..., str] | None = None) -> Callable:
    """Route decorator; ``back(**view_kwargs)`` is the form page a refused POST returns to."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not recently_authenticated():
                return ask_for_reauthentication(back(**kwargs) if back else request.path)
            return view(*args, **kwargs)

        return wrapped

    return decorator
