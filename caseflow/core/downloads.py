"""The one way the app hands a file to the browser, and the names it gives files."""

import io
import re
import unicodedata
from typing import IO

from flask import Response, send_file


def safe_filename(*parts: str, suffix: str = ".pdf") -> str:
    """An ASCII file name for a download header: 'LIM-2026-0042-summary.pdf'."""
    text = "-".join(parts)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "document"
    return text[:80] + suffix


def download(data: bytes | IO[bytes], filename: str, mimetype: str) -> Response:
    """A file for the browser to save: attachment, ASCII name, never cached.

    ``data``: the bytes, or an open binary file positioned at its start (a large
    export spooled to disk: sent in blocks, closed when the response ends).
    ``filename`` must come from ``safe_filename`` (ASCII, no quotes).
    """
    response = send_file(
        io.BytesIO(data) if isinstance(data, bytes) else data,
        mimetype=mimetype,
        as_attachment=True,
        download_name=filename,
        conditional=False,  # whole files only: no ranges, no 304s
    )
    # The quoted form the app has always sent (send_file leaves token names unquoted).
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: never in a shared or back-button cache (send_file says no-cache).
    response.headers["Cache-Control"] = "no-store"
    return response
