"""Routes that take a file: a larger request limit, and a friendly answer beyond it.

``MAX_CONTENT_LENGTH`` (2 MB) guards every form. A view marked ``@accepts_upload(...)``
accepts ``UPLOAD_MAX_MB`` plus a margin for the form around the file instead; the limit
is raised before anything reads the body (a URL value preprocessor runs before the
CSRF check, which parses the form). A body over that limit is refused before it is read
(413): instead of the bare error page, the uploader is sent back (303) to ``back`` (an
endpoint, with the URL's own arguments) with the message flashed.
"""

from collections.abc import Callable

from flask import Flask, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _

# Room for the form's other fields and the multipart framing around the file.
FORM_MARGIN_BYTES = 256 * 1024


def accepts_upload(back: str, anchor: str | None = None) -> Callable:
    """Mark a view as taking an uploaded file (see the module docstring). ``back``: the
    endpoint to send an oversized upload back to (``anchor``: its fragment)."""

    def decorator(view):
        view.accepts_upload = (back, anchor)
        return view

    return decorator


def upload_request_limit(app: Flask) -> int:
    return int(app.config["UPLOAD_MAX_MB"]) * 1024 * 1024 + FORM_MARGIN_BYTES


def _marked(app: Flask, endpoint: str | None):
    view = app.view_functions.get(endpoint) if endpoint else None
    return getattr(view, "accepts_upload", None)


def too_large_response():
    """For a 413 on a route that takes files: back to its page with a message; None
    for any other route."""
    marked = _marked(current_app, request.endpoint)
    if marked is None:
        return None
    back, anchor = marked
    flash(
        _(
            "The file is larger than %(megabytes)d MB. Send a smaller file (for a photo, a "
            "lower resolution; for a scan, fewer pages per file).",
            megabytes=int(current_app.config["UPLOAD_MAX_MB"]),
        ),
        "danger",
    )
    return redirect(url_for(back, **(request.view_args or {}), _anchor=anchor), 303)


def init_app(app: Flask) -> None:
    @app.url_value_preprocessor
    def _raise_the_limit_for_uploads(endpoint, _values):
        if _marked(app, endpoint) is not None:
            request.max_content_length = upload_request_limit(app)
