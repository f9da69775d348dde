"""Shared fixtures: one migrated database per run, emptied after every test.

Set CASEFLOW_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)
to run everything on PostgreSQL; by default a temporary SQLite file is used.
"""

import contextvars
import hashlib
import os
import re
import shutil
from datetime import date, datetime

import flask_migrate
import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from caseflow import create_app
from caseflow.auth.models import Role, User
from caseflow.auth.services import create_user
from caseflow.cases.models import Case, CaseType, HouseholdRole, LegalBasis
from caseflow.cases.services import CaseData, PersonData, open_case
from caseflow.centres.models import Centre
from caseflow.centres.services import get_or_create_centre
from caseflow.core import tasks
from caseflow.extensions import db, limiter

PASSWORD = "lantern-orchard-violet-42"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def make_test_config(database_url: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-to-pass",
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Cheap hashes keep the suite fast; production uses argon2-cffi's defaults.
        "ARGON2_PARAMETERS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1},
        # The test's own reads between requests must not hold SQLite's write lock.
        "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS": False,
        # Deterministic: queued tasks (mail delivery, exports) run in-process when the
        # transaction that queued them commits (huey's immediate mode). The real path, a
        # worker process, is tested in tests/reliability.
        # Port 9 on loopback refuses at once, so no test mails anything by accident.
        "TASKS_IMMEDIATE": True,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 9,
        "MAIL_TIMEOUT": 5,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("CASEFLOW_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'caseflow-test.sqlite'}"


def reset_database(app) -> None:
    """Drop everything, then build the schema the only supported way: migrations."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        else:
            db.drop_all()
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        flask_migrate.upgrade()


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    config = make_test_config(database_url)
    # Attached files of the run; emptied after every test (see app_ctx).
    config["UPLOAD_FOLDER"] = str(tmp_path_factory.mktemp("files"))
    app = create_app(config)
    reset_database(app)
    yield app
    with app.app_context():
        db.engine.dispose()


def empty_audit_trail() -> None:
    """Tests only: every audit row goes, through the prune path's own guard lifting (the
    append-only trigger refuses a plain DELETE). Does not commit."""
    from caseflow.core.audit import _delete_before

    _delete_before(datetime.max)


def empty_all_tables() -> None:
    # DELETE is much faster than TRUNCATE on the few rows a test leaves behind.
    for table in reversed(db.metadata.sorted_tables):
        if table.name == "audit_events":
            empty_audit_trail()
        else:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(autouse=True)
def app_ctx(app):
    """Every test runs in an app context on an empty database."""
    with app.app_context():
        yield
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
    shutil.rmtree(app.config["UPLOAD_FOLDER"], ignore_errors=True)
    limiter.reset()


@pytest.fixture
def queued_tasks(monkeypatch) -> list[tuple]:
    """Tasks asked for after a commit are recorded here instead of run: for tests of a
    service on its own (``deliver_due``), without the delivery the commit would start."""
    calls: list[tuple] = []
    monkeypatch.setattr(tasks, "enqueue", lambda name, *args: calls.append((name, args)))
    return calls


def db_digest() -> str:
    """A hash over every row of every table: equal digests mean nothing changed.

    The audit trail is left out: a refused request is recorded there, on purpose."""
    db.session.expire_all()
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        if table.name == "audit_events":
            continue
        rows = db.session.execute(table.select().order_by(*table.primary_key.columns)).all()
        digest.update(f"{table.name}:{rows!r}".encode())
    return digest.hexdigest()


class Client(FlaskClient):
    """A test client that knows its CSRF token and posts forms with it."""

    csrf_token: str | None = None

    def open(self, *args, **kwargs):
        # What the test set up is committed and its transaction ended, as if it were
        # another request: a SQLite snapshot kept open across the request could not write.
        if has_app_context():
            db.session.commit()
        # Flask reuses an app context that is already pushed (the test's own), which
        # would share ``g`` and the database session between the test and every request.
        # A fresh contextvars context gives each request its own, as in production.
        return contextvars.Context().run(super().open, *args, **kwargs)

    def fetch_csrf(self) -> str:
        # A page with a token when logged in (or the page a user is sent to first, e.g.
        # to replace a temporary password), else the login page.
        response = self.get("/profile", follow_redirects=True)
        if response.status_code != 200:
            response = self.get("/login")
        match = CSRF_META.search(response.get_data(as_text=True))
        assert match, "no CSRF token on the page"
        self.csrf_token = match.group(1)
        return self.csrf_token

    def post_form(self, url: str, data: dict | None = None, **kwargs):
        payload = dict(data or {})
        payload.setdefault("csrf_token", self.csrf_token or self.fetch_csrf())
        return self.post(url, data=payload, **kwargs)


@pytest.fixture
def client(app) -> Client:
    app.test_client_class = Client
    return app.test_client()


def login(client: Client, user: User, password: str = PASSWORD) -> Client:
    client.fetch_csrf()
    response = client.post_form("/login", {"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    client.fetch_csrf()  # the login starts a fresh session with a new token
    return client


@pytest.fixture
def client_for(app):
    """``client_for(user)``: a new client, logged in as ``user``."""

    def make(user: User | None) -> Client:
        app.test_client_class = Client
        new_client = app.test_client()
        if user is None:
            new_client.fetch_csrf()
            return new_client
        return login(new_client, user)

    return make


@pytest.fixture
def centre() -> Centre:
    centre = get_or_create_centre("Expat Centre Limburg", "LIM")
    db.session.commit()
    return centre


@pytest.fixture
def other_centre() -> Centre:
    centre = get_or_create_centre("Expat Centre Antwerpen", "ANT")
    db.session.commit()
    return centre


@pytest.fixture
def make_user(centre):
    counter = iter(range(1, 10_000))

    def make(role: Role | str = Role.ADVISOR, *, centre_=None, name=None, email=None, **extra):
        n = next(counter)
        user = create_user(
            centre_ or centre,
            email or f"user{n}-{role}@example.org",
            name or f"Test {Role(role).value.replace('_', ' ').title()} {n}",
            Role(role),
            PASSWORD,
        )
        for key, value in extra.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    return make


def person(first="Ana", last="Silva", role=HouseholdRole.MAIN_APPLICANT, **kw) -> PersonData:
    return PersonData(
        first_name=first,
        last_name=last,
        household_role=role,
        nationality=kw.pop("nationality", "BR"),
        date_of_birth=kw.pop("date_of_birth", date(1990, 5, 17)),
        **kw,
    )


@pytest.fixture
def make_case(centre):
    def make(advisor: User | None = None, *, actor: User | None = None, persons=None, **fields):
        owner_centre = db.session.get(Centre, (advisor or actor).centre_id)
        case_type = db.session.scalars(
            db.select(CaseType).where(CaseType.centre_id == owner_centre.id)
        ).first()
        # The intake records consent to the current notice, so the case may leave
        # intake; ``legal_basis=None`` makes a case without it.
        fields.setdefault("legal_basis", LegalBasis.CONSENT)
        data = CaseData(
            household_name=fields.pop("household_name", "Silva family"),
            case_type_id=fields.pop("case_type_id", case_type.id),
            persons=persons or [person()],
            **fields,
        )
        case = open_case(owner_centre, actor or advisor, data, advisor.id if advisor else None)
        db.session.commit()
        return case

    return make


def reload(model, ident):
    """A fresh copy from the database (what another request would see)."""
    db.session.expire_all()
    return db.session.get(model, ident)


__all__ = ["PASSWORD", "Case", "db_digest", "login", "person", "reload"]


@pytest.fixture
def security_figures():
    """Where a security test reports what it measured (see tests/figures.py)."""
    from tests.figures import SecurityFigures

    return SecurityFigures()
