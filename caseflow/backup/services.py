"""Backups of the whole database and restores into an empty one.

A backup file is a header followed by the payload:

- line 1: ``CASEFLOW-BACKUP 2`` (``1``: older backups, still restored);
- line 2: JSON: ``format`` (``sqlite`` or ``postgresql``), ``encrypted``, ``created_at``,
  ``revision`` (the Alembic revision of the schema), ``payload`` (``tar``), ``files``
  (how many attached files) and, when encrypted, the key derivation and cipher
  parameters;
- the payload: a tar stream of the database first (``database.sqlite``: a database file
  made with the online backup API; ``database.pgdump``: a ``pg_dump --format=custom``
  archive), then every attached file of ``UPLOAD_FOLDER`` (``files/3f/3f9a...``); in
  chunks of AES-256-GCM when ``BACKUP_KEY`` is set. (Version 1's payload was the
  database alone.)

The database is copied before the files: a file uploaded meanwhile is in the backup
without its row (``flask attachments check`` reports it after a restore, ``--remove``
deletes it); every row of the copy has its file, unless that file was deleted during
the backup.

Nothing here uses a request; everything needs an app context (the configuration and the
database of ``SQLALCHEMY_DATABASE_URI``). Errors raise ``BackupError``.
"""

import base64
import io
import json
import os
import re
import shutil
import sqlite3
import struct
import subprocess  # noqa: S404  (pg_dump / pg_restore, fixed argument lists, no shell)
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import closing, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from caseflow.core.errors import DomainError
from caseflow.extensions import db

MAGIC = b"CASEFLOW-BACKUP 2\n"
MAGIC_V1 = b"CASEFLOW-BACKUP 1\n"  # the database alone, no files
MAGIC_PREFIX = b"CASEFLOW-BACKUP "
DATABASE_MEMBER = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
# Attached files in the tar: files/<shard>/<stored name> (caseflow/attachments/storage.py).
FILE_MEMBER = re.compile(r"files/(?P<shard>[0-9a-f]{2})/(?P=shard)[0-9a-f]{30}")
UPLOAD_TEMP_DIR = ".tmp"
HEADER_MAX_BYTES = 8192
KINDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SUFFIX = ".backup"
# How much plaintext each encrypted chunk holds (and how much is read at a time).
CHUNK_SIZE = 1024 * 1024
TAG_SIZE = 16
# A BACKUP_KEY shorter than this is refused: the key is all that protects the data.
MIN_KEY_LENGTH = 16
# scrypt (RFC 7914) turns BACKUP_KEY into the AES key, with a fresh salt per backup:
# 32 MiB and about a tenth of a second, once per backup. Limits guard restores
# against a header that asks for absurd work.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SCRYPT_MAX_N = 2**20
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
BACKUP_NAME = re.compile(r"caseflow-(?P<kind>[a-z]+)-(?P<stamp>\d{8}T\d{6}\.\d{6}Z)\.backup")


class BackupError(DomainError):
    """A backup or restore was refused or failed; ``str(error)`` says what to do."""


# --- configuration ------------------------------------------------------------------


def _database_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def database_kind() -> str:
    """``sqlite`` or ``postgresql``: the kind of the app's database (and of its backups)."""
    backend = _database_url().get_backend_name()
    if backend not in KINDS:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {backend}.")
    return backend


def default_backup_directory() -> Path:
    """``BACKUP_DIR``, or ``instance/backups`` when it is not set."""
    configured = current_app.config.get("BACKUP_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "backups"


def _backup_key() -> str | None:
    key = current_app.config.get("BACKUP_KEY")
    if not key:
        return None
    if not isinstance(key, str):
        # CASEFLOW_* variables are parsed as JSON: a key of digits would become a number.
        raise BackupError("BACKUP_KEY must be text: quote it, e.g. CASEFLOW_BACKUP_KEY='\"…\"'.")
    if len(key) < MIN_KEY_LENGTH:
        raise BackupError(
            f"BACKUP_KEY is too short: use at least {MIN_KEY_LENGTH} random characters, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'."
        )
    return key


# --- the file header ----------------------------------------------------------------


def _header_bytes(header: dict) -> bytes:
    return MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n"


def _read_header(handle: BinaryIO, path: Path) -> tuple[dict, bytes]:
    magic = handle.read(len(MAGIC))
    if magic not in (MAGIC, MAGIC_V1):
        if magic.startswith(MAGIC_PREFIX):
            raise BackupError(f"{path} was made by a newer version of Caseflow; update first.")
        raise BackupError(f"{path} is not a Caseflow backup (it does not start with its header).")
    line = handle.readline(HEADER_MAX_BYTES)
    try:
        if not line.endswith(b"\n"):
            raise ValueError("no end of line")
        header = json.loads(line)
        if header.get("format") not in KINDS or not isinstance(header.get("encrypted"), bool):
            raise ValueError("missing fields")
    except ValueError as error:
        raise BackupError(f"{path} is damaged: its header cannot be read.") from error
    if magic == MAGIC_V1:
        header["payload"] = "database"
    elif header.get("payload") != "tar":
        raise BackupError(f"{path} is damaged: its header cannot be read.")
    return header, magic + line


def read_header(path: str | os.PathLike) -> dict:
    """The header of a backup file (format, encrypted, created_at, revision…)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            return _read_header(handle, path)[0]
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from error


# --- encryption -----------------------------------------------------------------------
#
# AES-256-GCM in chunks of 1 MiB rather than Fernet: Fernet encrypts one message held
# in memory (and base64 makes it a third larger), so a database of some gigabytes would
# need to fit in memory several times over, on backup and on restore. Chunks stream with
# constant memory. Each chunk is authenticated together with the whole header (so the
# format or parameters cannot be swapped), its number (no reordering) and a "last"
# flag (a truncated file is detected). The AES key comes from BACKUP_KEY through scrypt
# with a random salt, so every backup has its own key and counter nonces are safe.


def _derive_key(secret: str, params: dict) -> AESGCM:
    try:
        n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
        salt = base64.b64decode(params["salt"])
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError("The backup is damaged: its encryption header is invalid.") from error
    if not (2 <= n <= SCRYPT_MAX_N and 1 <= r <= 16 and 1 <= p <= 4 and len(salt) >= 16):
        raise BackupError("The backup is damaged: its encryption header is invalid.")
    return AESGCM(Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(secret.encode()))


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">QB", index, last)


class _PayloadWriter:
    """Writes the header, then the payload: as is, or encrypted in chunks."""

    def __init__(self, handle: BinaryIO, header: dict, key: str | None):
        self.handle = handle
        self.buffer = bytearray()
        self.index = 0
        self.cipher = None
        if key is not None:
            self.nonce_prefix = os.urandom(8)
            params = {
                "kdf": "scrypt",
                "n": SCRYPT_N,
                "r": SCRYPT_R,
                "p": SCRYPT_P,
                "salt": base64.b64encode(os.urandom(16)).decode(),
            }
            header["encryption"] = {
                "cipher": "AES-256-GCM",
                "chunk_size": CHUNK_SIZE,
                "nonce_prefix": base64.b64encode(self.nonce_prefix).decode(),
                **params,
            }
            self.cipher = _derive_key(key, params)
        self.header = _header_bytes(header)
        handle.write(self.header)

    def _chunk(self, data: bytes, last: bool) -> None:
        sealed = self.cipher.encrypt(
            _nonce(self.nonce_prefix, self.index), data, _aad(self.header, self.index, last)
        )
        self.handle.write(struct.pack(">I", len(sealed)) + sealed)
        self.index += 1

    def write(self, data: bytes) -> None:
        if self.cipher is None:
            self.handle.write(data)
            return
        self.buffer += data
        # Keep at least one byte back: only the final chunk may carry the "last" flag.
        while len(self.buffer) > CHUNK_SIZE:
            self._chunk(bytes(self.buffer[:CHUNK_SIZE]), last=False)
            del self.buffer[:CHUNK_SIZE]

    def finish(self) -> None:
        if self.cipher is not None:
            self._chunk(bytes(self.buffer), last=True)
            self.buffer.clear()


def _payload(path: Path, key: str | None) -> Iterator[bytes]:
    """The payload of a backup, decrypted and checked chunk by chunk."""
    try:
        handle = open(path, "rb")  # noqa: SIM115  (a generator closes it below)
    except OSError as error:
        raise BackupError(f"Cannot read {path}: {error.strerror}.") from error
    with handle:
        header, header_bytes = _read_header(handle, path)
        if not header["encrypted"]:
            while block := handle.read(CHUNK_SIZE):
                yield block
            return
        if key is None:
            raise BackupError(
                "This backup is encrypted: set BACKUP_KEY to the key it was made with, "
                "then run the restore again."
            )
        params = header.get("encryption") or {}
        if params.get("cipher") != "AES-256-GCM":
            raise BackupError("The backup is damaged: its encryption header is invalid.")
        cipher = _derive_key(key, params)
        prefix = base64.b64decode(params.get("nonce_prefix", ""))
        chunk_size = params.get("chunk_size")
        if len(prefix) != 8 or not isinstance(chunk_size, int) or not 0 < chunk_size <= 2**26:
            raise BackupError("The backup is damaged: its encryption header is invalid.")
        damaged = f"{path} is damaged or truncated: it cannot be decrypted."
        index = 0
        while True:
            size_bytes = handle.read(4)
            if len(size_bytes) != 4:
                raise BackupError(damaged)
            (size,) = struct.unpack(">I", size_bytes)
            sealed = handle.read(size)
            if size > chunk_size + TAG_SIZE or len(sealed) != size:
                raise BackupError(damaged)
            data = None
            for last in (False, True):
                with suppress(InvalidTag):
                    data = cipher.decrypt(
                        _nonce(prefix, index), sealed, _aad(header_bytes, index, last)
                    )
                    break
            if data is None:
                if index == 0:
                    raise BackupError(
                        "The backup cannot be decrypted: BACKUP_KEY is not the key it was "
                        "made with (or the file is damaged). Nothing was changed."
                    )
                raise BackupError(damaged)
            yield data
            index += 1
            if last:
                if handle.read(1):
                    raise BackupError(damaged)
                return


def verify_backup(path: str | os.PathLike) -> dict:
    """Read the whole backup, decrypting and checking every chunk; return its header.

    Raises ``BackupError`` for a wrong key, a damaged or truncated file.
    """
    path = Path(path)
    header = read_header(path)
    for _block in _payload(path, _backup_key()):
        pass
    return header


# --- files ----------------------------------------------------------------------------


def _fsync_directory(directory: Path) -> None:
    with suppress(OSError):  # not every platform can open a directory
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove_with_side_files(path: Path) -> None:
    for suffix in ("", *SQLITE_SIDE_FILES):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client tools (the same major "
            "version as the server, or newer) and put them on the PATH."
        )
    return found


def _libpq(url: URL) -> tuple[str, dict]:
    """The libpq connection URI (without the password) and an environment with
    PGPASSWORD: a password on the command line would show in the process list."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    # (URL.set() ignores None, so the URL is rebuilt without the password.)
    conninfo = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    return conninfo.render_as_string(hide_password=False), env


def _sqlite_path() -> Path:
    database = _database_url().database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("Backups need an SQLite database file, not an in-memory database.")
    return Path(database)


def _connect_sqlite(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {int(current_app.config['SQLITE_BUSY_TIMEOUT_MS'])}")
    return connection


# --- backup ---------------------------------------------------------------------------


def _sqlite_snapshot(snapshot: Path) -> str:
    """Copy the app's database into ``snapshot`` with the online backup API; return its
    schema revision. One step, in one read transaction: a consistent copy, and in WAL
    mode the app's writers are not blocked meanwhile."""
    source_path = _sqlite_path()
    if not source_path.is_file():
        raise BackupError(f"The database file {source_path} does not exist.")
    try:
        with (
            closing(_connect_sqlite(source_path)) as source,
            closing(_connect_sqlite(snapshot)) as copy,
        ):
            source.backup(copy)
            # A single self-contained file: no -wal next to it, whatever the source used.
            copy.execute("PRAGMA journal_mode = DELETE")
            return _revision_of(copy)
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite backup failed: {error}.") from error


def _revision_of(connection: sqlite3.Connection) -> str:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        row = None
    if row is None:
        raise BackupError(
            "The database has no schema yet: run `flask --app caseflow db upgrade` first."
        )
    return row[0]


def _postgresql_revision() -> str:
    with db.engine.connect() as connection:
        exists = connection.scalar(text("SELECT to_regclass('alembic_version') IS NOT NULL"))
        revision = (
            connection.scalar(text("SELECT version_num FROM alembic_version")) if exists else None
        )
    if revision is None:
        raise BackupError(
            "The database has no schema yet: run `flask --app caseflow db upgrade` first."
        )
    return revision


def _pg_dump(writer: BinaryIO) -> None:
    conninfo, env = _libpq(_database_url())
    command = [_tool("pg_dump"), "--format=custom", "--no-password", f"--dbname={conninfo}"]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603  (fixed arguments, no shell)
            command, stdout=subprocess.PIPE, stderr=errors, env=env
        )
        try:
            while block := process.stdout.read(CHUNK_SIZE):
                writer.write(block)
        except BaseException:
            process.kill()
            raise
        finally:
            process.stdout.close()
            code = process.wait()
        _check_exit("pg_dump", code, errors)


def _check_exit(tool: str, code: int, errors) -> None:
    """Raise BackupError with the tool's own messages when it failed."""
    if code != 0:
        errors.seek(0)
        message = errors.read().decode(errors="replace").strip()
        raise BackupError(f"{tool} failed (exit code {code}): {message}")


def create_backup(path: str | os.PathLike) -> Path:
    """Back up the app's database and its attached files (``UPLOAD_FOLDER``) into the
    new file ``path`` (never overwritten).

    Encrypted when ``BACKUP_KEY`` is set. Written to a temporary file in the same
    directory and renamed when complete: a failed backup leaves no file under ``path``.
    The file is readable by its owner only (0600). Returns the path.
    """
    path = Path(path)
    if path.exists():
        raise BackupError(f"{path} already exists: a backup never overwrites a file.")
    if not path.parent.is_dir():
        raise BackupError(f"The directory {path.parent} does not exist.")
    kind = database_kind()
    key = _backup_key()
    header = {
        "format": kind,
        "encrypted": key is not None,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    fd, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    copy = None
    try:
        os.fchmod(fd, 0o600)
        # The plain copy of the database stays with the app (SQLite: next to the
        # database; PostgreSQL: in the instance folder), never next to the backup, and
        # is removed at once.
        if kind == "sqlite":
            database = _sqlite_path()
            copy = _private_temp(database.parent, f".{database.name}.", ".snapshot")
            header["revision"] = _sqlite_snapshot(copy)
        else:
            instance = Path(current_app.instance_path)
            instance.mkdir(parents=True, exist_ok=True)
            copy = _private_temp(instance, ".database.", ".pgdump")
            header["revision"] = _postgresql_revision()
            with open(copy, "wb") as dump:
                _pg_dump(dump)
        files = _upload_files()  # after the database: every row's file is there
        header["payload"] = "tar"
        header["files"] = len(files)
        with os.fdopen(fd, "wb") as handle:
            writer = _PayloadWriter(handle, header, key)
            with tarfile.open(fileobj=writer, mode="w|", format=tarfile.PAX_FORMAT) as archive:
                _add_member(archive, DATABASE_MEMBER[kind], copy)
                for name, file_path in files:
                    with suppress(FileNotFoundError):  # deleted meanwhile: its row too
                        _add_member(archive, name, file_path)
            writer.finish()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
        _fsync_directory(path.parent)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    finally:
        if copy is not None:
            _remove_with_side_files(copy)
    return path


def _private_temp(directory: Path, prefix: str, suffix: str) -> Path:
    handle, name = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=suffix)
    os.close(handle)
    return Path(name)


def _upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def _upload_files() -> list[tuple[str, Path]]:
    """``(name in the tar, path)`` of every attached file (temporary uploads left out)."""
    folder = _upload_folder()
    if not folder.is_dir():
        return []
    found = []
    for shard in sorted(folder.iterdir()):
        if not shard.is_dir() or shard.name.startswith("."):
            continue
        for entry in sorted(shard.iterdir()):
            name = f"files/{shard.name}/{entry.name}"
            if entry.is_file() and FILE_MEMBER.fullmatch(name):
                found.append((name, entry))
    return found


def _add_member(archive: tarfile.TarFile, name: str, path: Path) -> None:
    with open(path, "rb") as source:
        info = tarfile.TarInfo(name)
        info.size = os.fstat(source.fileno()).st_size
        info.mode = 0o600
        info.mtime = int(os.fstat(source.fileno()).st_mtime)
        archive.addfile(info, source)


def backup_to_directory(directory: str | os.PathLike, keep: int) -> Path:
    """Write a timestamped backup into ``directory`` (created when missing, mode 0700),
    then delete all but the newest ``keep`` backups of this database kind there.

    For the worker's schedule: ``backup_to_directory(BACKUP_DIR, BACKUP_KEEP)``.
    """
    if keep < 1:
        raise BackupError("Keep at least one backup.")
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    kind = database_kind()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    path = create_backup(directory / f"caseflow-{kind}-{stamp}{SUFFIX}")
    prune_backups(directory, keep, kind)
    return path


def prune_backups(directory: str | os.PathLike, keep: int, kind: str | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` backups of ``kind`` (default: the app's
    database kind) in ``directory``; return what was deleted.

    Only files named as ``backup_to_directory`` names them are considered: other files,
    and backups of the other database kind, are never touched.
    """
    deleted = backups_beyond(directory, keep, kind)
    for entry in deleted:
        entry.unlink(missing_ok=True)
    return deleted


def backups_beyond(directory: str | os.PathLike, keep: int, kind: str | None = None) -> list[Path]:
    """The backups ``prune_backups`` would delete (all but the newest ``keep``), deleting
    nothing: for ``flask retention run --dry-run``."""
    if keep < 1:
        raise BackupError("Keep at least one backup.")
    kind = kind or database_kind()
    backups = sorted(
        (
            entry
            for entry in Path(directory).iterdir()
            if (match := BACKUP_NAME.fullmatch(entry.name))
            and match["kind"] == kind
            and entry.is_file()
        ),
        key=lambda entry: entry.name,
        reverse=True,
    )
    return backups[keep:]


# --- restore --------------------------------------------------------------------------


def _not_empty(where: str, detail: str, advice: str) -> BackupError:
    return BackupError(
        f"{where} is not empty ({detail}). A restore only goes into an empty database: "
        f"{advice}, then run the restore again."
    )


def _check_sqlite_empty(target: Path) -> None:
    if not target.exists() or target.stat().st_size == 0:
        return
    try:
        with closing(_connect_sqlite(target)) as connection:
            tables = [
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            filled = [
                name
                for name in tables
                if connection.execute(
                    'SELECT 1 FROM "{}" LIMIT 1'.format(name.replace('"', '""'))  # noqa: S608
                ).fetchone()
            ]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{target} is not an SQLite database ({error}).") from error
    if "alembic_version" in tables or filled:
        detail = f"tables with rows: {', '.join(filled[:5])}" if filled else "it has a schema"
        raise _not_empty(
            f"The database {target}",
            detail,
            "stop Caseflow, move that file (with its -wal and -shm files) aside or point "
            "SQLALCHEMY_DATABASE_URI at a new file",
        )


def _restore_sqlite(unpack: "_Unpacker") -> None:
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.stat().st_size == 0:
        # -wal, -shm or -journal files without their database (deleted or emptied) are
        # garbage that must never be replayed into the restored file. SQLite itself
        # discards them for a zero-byte database; removing them first does not depend on
        # that. (The copy below goes through SQLite's pager with the backup API, never a
        # file copy, so the target's own WAL stays consistent.)
        for suffix in SQLITE_SIDE_FILES:
            Path(f"{target}{suffix}").unlink(missing_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".restore")
    copy = Path(name)
    path = unpack.path
    try:
        with os.fdopen(fd, "wb") as handle:
            unpack.run(handle)
        with closing(_connect_sqlite(copy)) as source:
            try:
                check = source.execute("PRAGMA integrity_check").fetchone()[0]
            except sqlite3.DatabaseError as error:
                raise BackupError(f"{path} is damaged: {error}.") from error
            if check != "ok":
                raise BackupError(f"{path} is damaged: {check}.")
            _revision_of(source)
            with closing(_connect_sqlite(target)) as destination:
                source.backup(destination)
                check = destination.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"The restored database fails its check: {check}.")
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite restore failed: {error}.") from error
    finally:
        _remove_with_side_files(copy)


def _check_postgresql_empty() -> None:
    with db.engine.connect() as connection:
        names = connection.scalars(
            text(
                "SELECT n.nspname || '.' || c.relname FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
                "ORDER BY 1"
            )
        ).all()
    if names:
        url = _database_url()
        raise _not_empty(
            f"The database {url.database} on {url.host or 'localhost'}",
            f"{len(names)} tables or sequences, e.g. {', '.join(names[:3])}",
            "create a new database (createdb -O OWNER NAME) and point "
            "SQLALCHEMY_DATABASE_URI at it",
        )


def _pg_restore(unpack: "_Unpacker") -> None:
    conninfo, env = _libpq(_database_url())
    command = [
        _tool("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        # All or nothing: a failure half-way leaves the database empty, as it was.
        "--single-transaction",
        "--no-password",
        f"--dbname={conninfo}",
    ]
    dump = None
    try:
        if unpack.header["payload"] == "tar":
            # The files come after the database in the archive: unpack everything (the
            # dump into the instance folder) before pg_restore commits anything.
            instance = Path(current_app.instance_path)
            instance.mkdir(parents=True, exist_ok=True)
            dump = _private_temp(instance, ".database.", ".pgdump")
            with open(dump, "wb") as handle:
                unpack.run(handle)
            blocks = _file_blocks(dump)
        else:
            blocks = _payload(unpack.path, unpack.key)
        with tempfile.TemporaryFile() as errors:
            process = subprocess.Popen(  # noqa: S603  (fixed arguments, no shell)
                command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env
            )
            try:
                for block in blocks:
                    process.stdin.write(block)
                process.stdin.close()
            except BrokenPipeError:
                pass  # pg_restore stopped early; its exit code and messages say why
            except BaseException:
                process.kill()  # the server rolls the single transaction back
                process.wait()
                raise
            _check_exit("pg_restore", process.wait(), errors)
    finally:
        if dump is not None:
            dump.unlink(missing_ok=True)


def _file_blocks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK_SIZE):
            yield block


class _PayloadReader(io.RawIOBase):
    """The decrypted payload as a file, for tarfile's stream mode."""

    def __init__(self, blocks: Iterator[bytes]):
        self.blocks = blocks
        self.buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self.buffer:
            try:
                self.buffer = next(self.blocks)
            except StopIteration:
                return 0
        n = min(len(target), len(self.buffer))
        target[:n] = self.buffer[:n]
        self.buffer = self.buffer[n:]
        return n


class _Unpacker:
    """Unpacks a backup's payload: the database into the file the restore gives
    (``run``), the attached files (version 2) into a staging folder in UPLOAD_FOLDER,
    moved into place by ``place_files`` once the database is restored."""

    def __init__(self, path: Path, key: str | None, header: dict, kind: str):
        self.path, self.key, self.header, self.kind = path, key, header, kind
        self.staging: Path | None = None

    def run(self, database: BinaryIO) -> None:
        if self.header["payload"] != "tar":
            for block in _payload(self.path, self.key):
                database.write(block)
            return
        damaged = f"{self.path} is damaged: its content is not a Caseflow backup's."
        folder = _upload_folder()
        folder.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(dir=folder, prefix=".restore-"))
        seen_database = False
        try:
            with tarfile.open(
                fileobj=_PayloadReader(_payload(self.path, self.key)), mode="r|"
            ) as archive:
                for member in archive:
                    source = archive.extractfile(member) if member.isreg() else None
                    if source is None:
                        raise BackupError(damaged)
                    if member.name == DATABASE_MEMBER[self.kind] and not seen_database:
                        shutil.copyfileobj(source, database, CHUNK_SIZE)
                        seen_database = True
                    elif seen_database and FILE_MEMBER.fullmatch(member.name):
                        # Names are checked above: no path can leave the staging folder.
                        target = self.staging / member.name.removeprefix("files/")
                        target.parent.mkdir(mode=0o700, exist_ok=True)
                        with open(target, "xb") as handle:
                            shutil.copyfileobj(source, handle, CHUNK_SIZE)
                    else:
                        raise BackupError(damaged)
        except tarfile.TarError as error:
            raise BackupError(damaged) from error
        if not seen_database:
            raise BackupError(damaged)

    def place_files(self) -> int:
        """Move the staged files into UPLOAD_FOLDER; return how many."""
        if self.staging is None:
            return 0
        folder = _upload_folder()
        count = 0
        for staged in sorted(self.staging.glob("*/*")):
            target = folder / staged.parent.name / staged.name
            target.parent.mkdir(mode=0o700, exist_ok=True)
            os.replace(staged, target)
            count += 1
        self.discard()
        return count

    def discard(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None


def _check_upload_folder_empty() -> None:
    if _upload_files():
        folder = _upload_folder()
        raise BackupError(
            f"The folder of attached files {folder} is not empty. A restore only goes into "
            "an empty database and an empty files folder: move that folder aside or point "
            "UPLOAD_FOLDER at a new one, then run the restore again."
        )


def restore_backup(path: str | os.PathLike) -> dict:
    """Restore the backup ``path`` into the app's database, which must be empty, and its
    attached files into ``UPLOAD_FOLDER``, which must hold none.

    Refused, with nothing changed, when the backup is of the other database kind, is
    encrypted and BACKUP_KEY is missing or wrong, is damaged, or when the database
    already holds a schema or data (or the folder files). The files are unpacked into a
    staging folder first and moved into place once the database is restored. The backup
    carries the schema, so no migration is needed first. Returns the backup's header.
    """
    path = Path(path)
    header = read_header(path)
    kind = database_kind()
    if header["format"] != kind:
        raise BackupError(
            f"This is a {KINDS[header['format']]} backup, but the database in "
            f"SQLALCHEMY_DATABASE_URI is {KINDS[kind]}: restore it into a "
            f"{KINDS[header['format']]} database."
        )
    key = _backup_key()
    if header["encrypted"]:
        # Every chunk is decrypted and checked before anything is written anywhere.
        verify_backup(path)
    if kind == "sqlite":
        _check_sqlite_empty(_sqlite_path())
    else:
        _check_postgresql_empty()
    _check_upload_folder_empty()
    db.session.remove()
    db.engine.dispose()  # no pooled connection may keep an old view of the database
    unpack = _Unpacker(path, key, header, kind)
    try:
        if kind == "sqlite":
            _restore_sqlite(unpack)
        else:
            _pg_restore(unpack)
        unpack.place_files()
    finally:
        unpack.discard()
    db.engine.dispose()
    return header
