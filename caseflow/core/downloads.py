"""The one way the app hands a file to the browser."""

from flask import Response


def download(data: bytes, filename: str, mimetype: str) -> Response:
    """A file for the browser to save: attachment, ASCII name, never cached."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
