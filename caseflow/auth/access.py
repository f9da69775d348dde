"""Route decorator for pages that a rule of permissions.py allows, else 403."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user


def requires(check: Callable) -> Callable:
    """Let the view run only when ``check(current_user)`` holds (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
