"""Where attachment files live, and how an upload becomes one: checked, cleaned, placed.

Files are kept in ``UPLOAD_FOLDER`` (default ``instance/files``) under a random name,
sharded by its first two characters (``3f/3f9a...``); nothing the uploader chose ever
becomes part of a path. An upload is

1. copied into a temporary file in ``UPLOAD_FOLDER/.tmp`` (counting: more than
   ``UPLOAD_MAX_MB`` is refused while copying);
2. identified from its content, never its name or the browser's type: a PDF must start
   with ``%PDF-``, parse (pypdf), end at its ``%%EOF``, not be a ZIP as well, and carry
   no scripts, launch actions or embedded files; an image must be what Pillow reads as
   JPEG, PNG or HEIC (pillow-heif), whole;
3. images re-encoded by Pillow into a new file (JPEG, or PNG for PNG): EXIF (location,
   camera), comments, colour profiles and anything appended after the image are gone,
   the orientation is applied first; HEIC becomes JPEG (what every computer opens);
4. moved into place (``os.replace``, same file system) when the database row is flushed.

Nothing is stored half-way: a refused upload leaves no file (the temporary one is
removed), a placed file whose transaction is rolled back is removed by a session hook
(``install_session_hooks``), and a deleted attachment's file goes once the delete is
committed. ``orphans()`` finds what a crash between the steps could leave behind
(``flask attachments check``).

The slow part (2 and 3) touches no database: callers run it with no transaction open.
"""

import hashlib
import os
import re
import secrets
import tempfile
import threading
import time
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pillow_heif
from flask import current_app
from flask_babel import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
from sqlalchemy import event
from sqlalchemy.orm import Session

from caseflow.core.errors import DomainError

pillow_heif.register_heif_opener()

MEGABYTE = 1024 * 1024
TEMP_DIR = ".tmp"
STORED_NAME = re.compile(r"[0-9a-f]{32}")
COPY_BLOCK = 64 * 1024
# Larger images are refused before they are decoded (a small file can hold a huge
# image: a "decompression bomb"). 60 megapixels is more than any phone camera.
MAX_PIXELS = 60_000_000
# An original file name is kept at most this long (its extension included).
NAME_MAX = 120
# A temporary file or a file without a row is only an orphan after this long: an
# upload may be between its steps right now.
ORPHAN_AGE_SECONDS = 3600
# PDF names that run code or carry other files: refused.
PDF_ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}
)
PDF_MAX_OBJECTS = 200_000

ACCEPTED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}
# What the file input suggests to the browser (a hint only: the content decides).
ACCEPT_ATTRIBUTE = (
    ".pdf,.jpg,.jpeg,.png,.heic,.heif,application/pdf,image/jpeg,image/png,image/heic"
)


class UploadRejected(DomainError):
    """An upload was refused; ``str(error)`` tells the uploader why, in their language."""


# --- where ----------------------------------------------------------------------------


def upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def max_upload_bytes() -> int:
    return int(current_app.config["UPLOAD_MAX_MB"]) * MEGABYTE


def path_of(stored_name: str) -> Path:
    """The file of a stored name (which ``new_stored_name`` made: never user input)."""
    if not STORED_NAME.fullmatch(stored_name):
        raise ValueError("not a stored name")
    return upload_folder() / stored_name[:2] / stored_name


def new_stored_name() -> str:
    return secrets.token_hex(16)


def _temp_directory() -> Path:
    directory = upload_folder() / TEMP_DIR
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _temp_file() -> tuple[IO[bytes], Path]:
    fd, name = tempfile.mkstemp(dir=_temp_directory(), suffix=".part")
    return os.fdopen(fd, "wb"), Path(name)


# --- names ----------------------------------------------------------------------------


def sanitise_name(name: str | None) -> str:
    """The uploader's file name, safe to show and store: the last path part only, no
    control or formatting characters (e.g. a right-to-left override that hides the real
    extension), white space collapsed, at most ``NAME_MAX`` characters (the extension
    kept). "file" when nothing is left."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        " " if unicodedata.category(ch) in ("Zl", "Zp") or ch in "\t\r\n" else ch
        for ch in name
        if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn") or ch in "\t\r\n"
    )
    name = re.sub(r"\s+", " ", name).strip().lstrip(".").strip()
    if len(name) > NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: NAME_MAX - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:NAME_MAX].rstrip()
    return name or "file"


# --- an upload, prepared --------------------------------------------------------------


@dataclass
class PreparedFile:
    """A checked (and, for images, re-encoded) upload in a temporary file."""

    temp: Path
    content_type: str
    size: int
    sha256: str
    original_name: str
    stored_name: str = ""

    def place(self) -> Path:
        """Move the file to its final, random name; return that path."""
        self.stored_name = new_stored_name()
        target = path_of(self.stored_name)
        target.parent.mkdir(mode=0o700, exist_ok=True)
        os.replace(self.temp, target)
        return target

    def discard(self) -> None:
        self.temp.unlink(missing_ok=True)


def prepare(stream: IO[bytes], filename: str | None) -> PreparedFile:
    """Check an upload and clean it into a temporary file (see the module docstring).

    Slow for a big image; touches no database. Raises ``UploadRejected`` (and leaves no
    file) for anything but a whole PDF, JPEG, PNG or HEIC within ``UPLOAD_MAX_MB``.
    """
    limit = max_upload_bytes()
    handle, temp = _temp_file()
    try:
        with handle:
            size = _copy(stream, handle, limit)
        if size == 0:
            raise UploadRejected(_("The file is empty."))
        with open(temp, "rb") as source:
            head = source.read(8)
        if head.startswith(b"%PDF-"):
            _check_pdf(temp)
            content_type = "application/pdf"
        else:
            temp, content_type = _reencode_image(temp)
        size, digest = _measure(temp)
        if size > limit:  # a re-encoded image grew past the limit
            raise UploadRejected(_too_large())
        return PreparedFile(
            temp=temp,
            content_type=content_type,
            size=size,
            sha256=digest,
            original_name=sanitise_name(filename),
        )
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _too_large() -> str:
    return _(
        "The file is larger than %(megabytes)d MB. Send a smaller file (for a photo, a "
        "lower resolution; for a scan, fewer pages per file).",
        megabytes=int(current_app.config["UPLOAD_MAX_MB"]),
    )


def _copy(stream: IO[bytes], target: IO[bytes], limit: int) -> int:
    size = 0
    while block := stream.read(COPY_BLOCK):
        size += len(block)
        if size > limit:
            raise UploadRejected(_too_large())
        target.write(block)
    return size


def _measure(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(COPY_BLOCK):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _not_accepted() -> UploadRejected:
    return UploadRejected(
        _("Only PDF, JPEG, PNG and HEIC files can be attached. This file is none of those.")
    )


# --- PDF ------------------------------------------------------------------------------


def _check_pdf(path: Path) -> None:
    """A whole PDF with nothing else in it, or ``UploadRejected``."""
    damaged = UploadRejected(
        _("This PDF is damaged or incomplete: it cannot be read. Save or scan it again.")
    )
    if zipfile.is_zipfile(path):
        # A PDF that is a ZIP archive too (a "polyglot"): what opens it decides what it is.
        raise UploadRejected(
            _("This file is a PDF and another kind of file at once: it cannot be attached.")
        )
    with open(path, "rb") as handle:
        handle.seek(max(path.stat().st_size - 2048, 0))
        tail = handle.read()
    end = tail.rfind(b"%%EOF")
    if end < 0:
        raise damaged
    if tail[end + 5 :].strip(b"\x00\t\n\f\r "):
        raise UploadRejected(
            _("This PDF has other data after its end: it cannot be attached. Save it again.")
        )
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            raise UploadRejected(
                _("This PDF is protected by a password: remove the password, then attach it.")
            )
        if len(reader.pages) == 0:
            raise damaged
        for page in reader.pages:
            page.mediabox  # noqa: B018  (reading every page proves the page tree is whole)
        active = _has_active_content(reader)
    except UploadRejected:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise damaged from error
    except RecursionError as error:
        raise damaged from error
    if active:
        raise UploadRejected(
            _(
                "This PDF contains scripts or embedded files, which are not accepted. "
                "Print it to a new PDF (“Save as PDF”) and attach that."
            )
        )


def _has_active_content(reader: PdfReader) -> bool:
    """Whether any object reachable from the trailer names JavaScript, a launch action
    or an embedded file (a walk over dictionaries and arrays; streams are not decoded)."""
    seen: set[tuple[int, int]] = set()
    todo: list = [reader.trailer]
    visited = 0
    while todo:
        node = todo.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            return True  # far beyond a real document: refuse rather than walk on
        if isinstance(node, DictionaryObject):
            if PDF_ACTIVE_KEYS & set(node.keys()):
                return True
            if node.get("/S") in ("/JavaScript", "/Launch"):
                return True
            todo.extend(value for key, value in node.items() if key != "/Parent")
        elif isinstance(node, ArrayObject):
            todo.extend(node)
    return False


# --- images ---------------------------------------------------------------------------


_decoding_lock = threading.Lock()


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Pillow refusing truncated images while an upload is decoded. WeasyPrint switches
    Pillow's process-wide ``LOAD_TRUNCATED_IMAGES`` on when it is imported (to render
    what it can of a damaged picture); an upload must be whole instead."""
    with _decoding_lock:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _reencode_image(path: Path) -> tuple[Path, str]:
    """Decode the image whole and write it anew (metadata and trailing bytes gone).
    Returns the new temporary file (the original is removed) and its type."""
    damaged = UploadRejected(
        _("This image is damaged or incomplete: it cannot be read. Take or save it again.")
    )
    try:
        with _strict_decoding(), warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=("JPEG", "PNG", "HEIF")) as image:
                source_format = image.format
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise UploadRejected(
                        _("This image is too large (more than 60 megapixels): make it smaller.")
                    )
                image.load()
                cleaned = ImageOps.exif_transpose(image)
    except UnidentifiedImageError as error:
        raise _not_accepted() from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UploadRejected(
            _("This image is too large (more than 60 megapixels): make it smaller.")
        ) from error
    except UploadRejected:
        raise
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise damaged from error
    if "transparency" in cleaned.info and cleaned.mode in ("P", "L", "RGB", "I"):
        # Transparency of a palette or grey image lives in ``info``, cleared next.
        cleaned = cleaned.convert("RGBA")
    cleaned.info = {}  # no EXIF, ICC profile, comments or text chunks carried over
    handle, target = _temp_file()
    try:
        with handle:
            if source_format == "PNG":
                cleaned.save(handle, format="PNG", optimize=False)
                content_type = "image/png"
            else:  # JPEG, and HEIC made JPEG
                if cleaned.mode not in ("RGB", "L"):
                    cleaned = cleaned.convert("RGB")
                cleaned.save(handle, format="JPEG", quality=90)
                content_type = "image/jpeg"
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    path.unlink(missing_ok=True)
    return target, content_type


# --- files and transactions -----------------------------------------------------------

_PLACED = "attachments.placed"  # files placed in this transaction: removed unless committed
_DOOMED = "attachments.doomed"  # files of deleted rows: removed once committed


def remove_unless_committed(session: Session, path: Path) -> None:
    session.info.setdefault(_PLACED, []).append(path)


def remove_when_committed(session: Session, path: Path) -> None:
    session.info.setdefault(_DOOMED, []).append(path)


def _after_commit(session: Session) -> None:
    session.info.pop(_PLACED, None)
    for path in session.info.pop(_DOOMED, []):
        with suppress(OSError):
            path.unlink(missing_ok=True)


def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return
    # Not committed (rolled back, or closed without a commit): the placed files go, the
    # files of deletes that did not happen stay.
    for path in session.info.pop(_PLACED, []):
        with suppress(OSError):
            path.unlink(missing_ok=True)
    session.info.pop(_DOOMED, None)


def install_session_hooks() -> None:
    """Tie files to transactions, for every session (idempotent)."""
    for name, hook in (
        ("after_commit", _after_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)


# --- orphans --------------------------------------------------------------------------


def stored_files() -> Iterator[Path]:
    """Every placed file (temporary files excluded)."""
    folder = upload_folder()
    if not folder.is_dir():
        return
    for shard in sorted(folder.iterdir()):
        if shard.name == TEMP_DIR or not shard.is_dir():
            continue
        yield from sorted(p for p in shard.iterdir() if p.is_file())


def stale_temporary_files(now: float | None = None) -> list[Path]:
    directory = upload_folder() / TEMP_DIR
    if not directory.is_dir():
        return []
    cutoff = (now or time.time()) - ORPHAN_AGE_SECONDS
    return sorted(p for p in directory.iterdir() if p.is_file() and p.stat().st_mtime < cutoff)


def orphans(known: set[str], now: float | None = None) -> list[Path]:
    """Files without a row (``known``: every stored name in the database) older than
    ``ORPHAN_AGE_SECONDS``, and temporary files as old: what a crash left behind."""
    cutoff = (now or time.time()) - ORPHAN_AGE_SECONDS
    found = [
        path for path in stored_files() if path.name not in known and path.stat().st_mtime < cutoff
    ]
    return found + stale_temporary_files(now)
