"""HTML to PDF with WeasyPrint, safely and fast.

- A URL fetcher that only serves ``data:`` URLs and the app's own static files: a
  name like ``<img src="file:///etc/passwd">`` (escaped anyway) can never make the
  renderer read a file or call a server. Redirects are off.
- The font configuration and the print stylesheet are built once per process and
  reused by every render (building them dominates a small document's cost).
"""

import ctypes
import ctypes.util
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import has_request_context
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

STATIC_ROOT = (Path(__file__).resolve().parent.parent / "static").resolve()
PRINT_CSS = STATIC_ROOT / "css" / "print.css"
# The scheme under which documents may name the app's own static files.
STATIC_URL = "caseflow-static:/"

_lock = threading.Lock()
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


class RefusedURL(URLFetchingError):
    """A document asked for something outside data: URLs and the app's static files."""


class SafeFetcher(URLFetcher):
    """Serves ``data:`` URLs and ``caseflow-static:/path`` files; refuses everything else.

    ``refused`` lists what was asked and refused, so tests can prove nothing was fetched.
    """

    def __init__(self):
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=1)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_URL):
            path = (STATIC_ROOT / unquote(urlsplit(url).path).lstrip("/")).resolve()
            if path.is_relative_to(STATIC_ROOT) and path.is_file():
                return URLFetcherResponse(url, body=path.read_bytes())
        self.refused.append(url)
        raise RefusedURL(f"Refused to fetch {url!r}: documents may only use their own files.")


@cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


@cache
def print_stylesheet() -> CSS:
    return CSS(filename=str(PRINT_CSS), font_config=font_config(), url_fetcher=SafeFetcher())


def render_pdf(html: str, *, extra_css: str = "", fetcher: SafeFetcher | None = None) -> bytes:
    """Render a complete HTML document to PDF bytes (A4, tagged, the print stylesheet)."""
    fetcher = fetcher or SafeFetcher()
    stylesheets = [print_stylesheet()]
    if extra_css:
        stylesheets.append(_small_css(extra_css))
    document = HTML(string=html, base_url=STATIC_URL, url_fetcher=fetcher)
    # FontConfiguration is not thread-safe; renders in one process take turns.
    with _lock:
        return document.write_pdf(stylesheets=stylesheets, font_config=font_config(), pdf_tags=True)


def die_with_parent(parent_pid: int) -> None:
    """In a render process: end it when the process that started it dies (kill -9 of
    the worker included), so no renderer is ever left orphaned. Linux only."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    # The parent may have died before prctl: then this process was re-parented already.
    if os.getppid() != parent_pid:
        os._exit(1)


@cache
def _small_css(text: str) -> CSS:
    return CSS(string=text, font_config=font_config(), url_fetcher=SafeFetcher())


def render_many(htmls: list[str], processes: int = 1, on_done=lambda done: None) -> list[bytes]:
    """Render many documents; with ``processes`` > 1, in that many worker processes.

    Rendering is CPU-bound pure Python, so threads would not help; the HTML is built
    by the caller (it needs the database), only the PDF work is farmed out.
    """
    # A web request never starts processes (background work belongs to the worker).
    if processes <= 1 or len(htmls) < 2 * processes or has_request_context():
        results = []
        for done, html in enumerate(htmls, start=1):
            results.append(render_pdf(html))
            on_done(done)
        return results
    # Only the worker (bulk export task) and the export-pdfs CLI get here.
    # "spawn": the worker is threaded, where fork is unsafe.
    context = multiprocessing.get_context("spawn")
    results: list[bytes | None] = [None] * len(htmls)
    with ProcessPoolExecutor(
        max_workers=processes,
        mp_context=context,
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    ) as pool:
        futures = {pool.submit(render_pdf, html): index for index, html in enumerate(htmls)}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            on_done(done)
    return results
