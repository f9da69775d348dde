"""Backup and restore: every table comes back row by row, on SQLite and PostgreSQL.

The suite's database kind comes from CASEFLOW_TEST_DATABASE_URL; every test here runs on
either. The restore target is a new empty database (tests/backup/conftest.py).
"""

import json
import sqlite3
import stat
from datetime import date, datetime
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from caseflow.attachments.services import store_upload
from caseflow.attachments.storage import stored_files, upload_folder
from caseflow.auth import twofactor
from caseflow.auth.sessions import start_session
from caseflow.backup import services
from caseflow.backup.services import BackupError
from caseflow.calendar.services import create_feed
from caseflow.cases.models import HouseholdRole, Person
from caseflow.centres.services import get_or_create_centre
from caseflow.checklists.models import ChecklistItem, ItemState
from caseflow.checklists.seeding import seed_catalogue
from caseflow.checklists.services import set_state
from caseflow.contacts.models import ContactChannel
from caseflow.contacts.services import ContactData, centre_topics, log_contact
from caseflow.documents.jobs import start_export
from caseflow.documents.models import ExportStatus
from caseflow.events.consent import give_consent
from caseflow.events.models import EventInvitation, InvitationStatus, WalkIn
from caseflow.events.services import create_event
from caseflow.extensions import db
from caseflow.followups.services import add_followup
from caseflow.mail.services import Attachment, queue_email
from caseflow.notes.services import add_note, edit_note
from caseflow.partners.services import create_partner, create_referral
from caseflow.portal.services import ask_question, claim_step, create_link
from caseflow.reports.figures import refresh_report_figures
from caseflow.reviews.services import request_review
from caseflow.team.figures import refresh_team_figures
from tests.attachments.files import pdf_bytes, png_bytes, upload
from tests.conftest import db_digest, person

KEY = "correct-horse-battery-staple-backup-key"
HOUSEHOLD = "Müller-Öztürk family"
# Bytes a PDF attachment may hold: every byte value, NUL included.
BINARY = bytes(range(256)) * 4


@pytest.fixture
def filled(app, centre, make_user, make_case):
    """At least one row in every table, made through the services where they exist."""
    seed_catalogue(centre)
    db.session.commit()
    advisor = make_user("advisor", name="Zoë D'Arcy")
    lead = make_user("team_lead")
    case = make_case(
        advisor,
        household_name=HOUSEHOLD,
        arrival_date=date(2026, 9, 7),
        municipality="Hasselt",
        contact_email="family@example.net",
        persons=[
            person("Zoë", "Müller-Öztürk", nationality="TR", email="zoe@example.net"),
            person(
                "Мария",
                "Иванова",
                HouseholdRole.CHILD,
                nationality="UA",
                date_of_birth=date(2019, 3, 1),
            ),
            person("أحمد", "منصور", HouseholdRole.PARTNER, nationality="EG"),
        ],
    )
    item = db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.case_id == case.id).order_by(ChecklistItem.id)
    ).first()
    set_state(item, advisor, ItemState.DONE)
    note = add_note(case, advisor, "First contact.\nTab\tand 'quotes' \"here\".")
    edit_note(note, advisor, "First contact, by phone.", note.version)
    add_followup(
        case,
        advisor,
        title="Call about the school",
        details=None,
        due_date=date(2026, 9, 21),
        assignee_id=advisor.id,
    )
    request_review(case, advisor, "Please check the residence permit.")
    queue_email(
        centre_id=case.centre_id,
        kind="checklist",
        recipients=["family@example.net"],
        subject="Your checklist",
        text_body="Hello,\n\nYour checklist is attached.",
        html_body="<p>Hello</p>",
        case_id=case.id,
        created_by_id=advisor.id,
        attachments=[Attachment("checklist.pdf", "application/pdf", BINARY)],
    )
    # A second factor (with its recovery codes) and a login session.
    secret = pyotp.random_base32()
    twofactor.enable(lead, secret, pyotp.TOTP(secret).now())
    with app.test_request_context(headers={"User-Agent": "Firefox/128.0 (X11; Linux)"}):
        start_session(lead)
    job = start_export(lead, [case.id], "nl")
    job.result = b"PK\x03\x04" + BINARY
    job.status = ExportStatus.DONE
    job.done = 1
    create_feed(advisor)  # a calendar feed address
    store_upload(case, upload(png_bytes(), "Zoë passport.png"), item=item, uploaded_by=advisor)
    store_upload(case, upload(pdf_bytes(), "lease.pdf"), by_client=True)
    # The client's page: a link, a question and a claim on an open step.
    create_link(case, advisor)
    ask_question(case, "Faut-il le bail original ? «merci»")
    open_item = db.session.scalars(
        select(ChecklistItem).where(
            ChecklistItem.case_id == case.id, ChecklistItem.state != ItemState.DONE
        )
    ).first()
    claim_step(case, open_item.id)
    # The welcome community (caseflow/events): an event, the household's consent, its
    # invitation (registered, attended) and a walk-in.
    give_consent(case, lead)
    event = create_event(
        case.centre_id,
        lead,
        {
            "title_fr": "Café des langues «été»",
            "event_type": "language_cafe",
            "starts_at": datetime(2026, 7, 1, 17, 0),
            "ends_at": datetime(2026, 7, 1, 19, 0),
            "place": "Bibliothèque",
            "audience_languages": ["fr", "nl"],
            "organiser": "Zoë",
        },
    )
    db.session.add(
        EventInvitation(
            event_id=event.id,
            case_id=case.id,
            token_hash="2" * 64,
            language="fr",
            status=InvitationStatus.REGISTERED,
            people=2,
            attended_at=datetime(2026, 7, 1, 17, 5),
            attended_people=2,
        )
    )
    db.session.add(WalkIn(event_id=event.id, name="Zoë Walk-in", people=1))
    # The partner network and a referral (with its introduction email).
    partner = create_partner(
        case.centre_id,
        {
            "name": "Zorgkas Noord «Hasselt»",
            "type": "health_fund",
            "email_language": "fr",
            "email": "onthaal@zorgkas.example.org",
            "languages": ["nl", "fr"],
        },
    )
    create_referral(
        case,
        advisor,
        partner_id=partner.id,
        person_ids=[
            p.id for p in db.session.scalars(select(Person).where(Person.case_id == case.id))
        ],
        reason="Needs a health fund",
        consent=True,
        details=["name", "email"],
    )
    refresh_team_figures()  # the team overview's figures (what the worker stores)
    refresh_report_figures()  # the funder report's figures (what the worker stores)
    # A first-line contact with its topics, linked to the case.
    housing = next(t for t in centre_topics(case.centre_id) if t.code == "housing")
    log_contact(
        advisor,
        ContactData(
            channel=ContactChannel.WALK_IN,
            topic_ids=[housing.id],
            minutes=10,
            name="Olena Testperson",
            note="Asked «where» to rent.",
        ),
        case,
    )
    db.session.commit()
    empty = [
        table.name
        for table in db.metadata.sorted_tables
        if db.session.execute(select(table).limit(1)).first() is None
    ]
    assert not empty, f"fill these tables too: {empty}"
    return case


def everything() -> dict[str, list[tuple]]:
    """Every row of every table (all columns, by primary key), and alembic_version."""
    db.session.commit()
    with db.engine.connect() as connection:
        rows = {
            table.name: [
                tuple(row)
                for row in connection.execute(table.select().order_by(*table.primary_key.columns))
            ]
            for table in db.metadata.sorted_tables
        }
        rows["alembic_version"] = [
            tuple(row) for row in connection.execute(text("SELECT * FROM alembic_version"))
        ]
    return rows


def table_names() -> list[str]:
    """The target's tables (empty while nothing was restored)."""
    with db.engine.connect() as connection:
        if db.engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        else:
            query = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        return list(connection.scalars(text(query)))


def restore_into(target_app, path) -> dict[str, list[tuple]]:
    with target_app.app_context():
        services.restore_backup(path)
        return everything()


def test_a_restore_brings_back_every_table_row_by_row(app, filled, target_app, tmp_path):
    source = everything()
    assert all(source.values())
    path = services.create_backup(tmp_path / "caseflow.backup")
    header = services.read_header(path)
    assert header["format"] == db.engine.dialect.name
    assert header["encrypted"] is False
    assert header["revision"] == source["alembic_version"][0][0]

    assert restore_into(target_app, path) == source
    with target_app.app_context():
        # The restored database is usable: sequences and constraints came along.
        get_or_create_centre("Expat Centre Gent", "GNT")
        db.session.commit()
    assert everything() == source  # the source did not change


def encrypted_backup(app, path):
    """A backup made with BACKUP_KEY set; the key is unset again afterwards."""
    app.config["BACKUP_KEY"] = KEY
    try:
        return services.create_backup(path)
    finally:
        app.config["BACKUP_KEY"] = None


def test_an_encrypted_backup_round_trips_and_hides_the_data(app, filled, target_app, tmp_path):
    source = everything()
    path = encrypted_backup(app, tmp_path / "secret.backup")
    data = path.read_bytes()
    assert services.read_header(path)["encrypted"] is True
    for clear in (HOUSEHOLD.encode(), "Иванова".encode(), b"SQLite format 3", b"PGDMP", BINARY):
        assert clear not in data

    target_app.config["BACKUP_KEY"] = KEY
    assert restore_into(target_app, path) == source


def test_a_wrong_or_missing_key_is_refused_and_the_target_stays_empty(
    app, filled, target_app, tmp_path
):
    path = encrypted_backup(app, tmp_path / "secret.backup")
    with target_app.app_context():
        with pytest.raises(BackupError, match="encrypted: set BACKUP_KEY"):
            services.restore_backup(path)
        assert table_names() == []
        target_app.config["BACKUP_KEY"] = KEY.replace("correct", "wrong")
        with pytest.raises(BackupError, match="not the key it was made with"):
            services.restore_backup(path)
        assert table_names() == []


def test_a_damaged_encrypted_backup_is_refused_before_anything_is_written(
    app, filled, target_app, tmp_path
):
    path = encrypted_backup(app, tmp_path / "secret.backup")
    data = bytearray(path.read_bytes())
    flipped = tmp_path / "flipped.backup"
    data[-100] ^= 1  # in the last chunk: the first ones decrypt fine
    flipped.write_bytes(bytes(data))
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(path.read_bytes()[:-50])
    target_app.config["BACKUP_KEY"] = KEY
    with target_app.app_context():
        for damaged in (flipped, truncated):
            with pytest.raises(BackupError, match="damaged"):
                services.restore_backup(damaged)
            assert table_names() == []


def test_a_restore_into_a_database_that_is_not_empty_is_refused(app, filled, tmp_path):
    path = services.create_backup(tmp_path / "caseflow.backup")
    before = db_digest()
    with pytest.raises(BackupError, match="not empty.*only goes into an empty database"):
        services.restore_backup(path)
    assert db_digest() == before


def test_a_backup_of_the_other_kind_is_refused(app, filled, target_app, tmp_path):
    path = services.create_backup(tmp_path / "caseflow.backup")
    kind = db.engine.dialect.name
    other = "postgresql" if kind == "sqlite" else "sqlite"
    swapped = tmp_path / "other-kind.backup"
    swapped.write_bytes(
        path.read_bytes().replace(f'"format": "{kind}"'.encode(), f'"format": "{other}"'.encode())
    )
    with target_app.app_context():
        with pytest.raises(BackupError, match=f"This is a {services.KINDS[other]} backup"):
            services.restore_backup(swapped)
        assert table_names() == []


def test_a_file_that_is_not_a_backup_is_refused(app, target_app, tmp_path):
    stray = tmp_path / "notes.txt"
    stray.write_bytes(b"SQLite format 3\x00 or anything else")
    with target_app.app_context():
        with pytest.raises(BackupError, match="not a Caseflow backup"):
            services.restore_backup(stray)
        assert table_names() == []


def test_backups_are_private_and_never_left_half_written(app, filled, tmp_path, monkeypatch):
    path = services.create_backup(tmp_path / "caseflow.backup")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(BackupError, match="already exists"):
        services.create_backup(path)

    def fail(_self):
        raise OSError("disk full")

    monkeypatch.setattr(services._PayloadWriter, "finish", fail)
    with pytest.raises(OSError, match="disk full"):
        services.create_backup(tmp_path / "second.backup")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["caseflow.backup"]
    if db.engine.dialect.name == "sqlite":  # no plain snapshot left next to the database
        database = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database)
        assert not [p for p in database.parent.iterdir() if "snapshot" in p.name]


def test_backup_to_directory_keeps_the_newest_n_of_its_kind(app, filled, tmp_path):
    directory = tmp_path / "backups"
    kind = db.engine.dialect.name
    other = "postgresql" if kind == "sqlite" else "sqlite"
    directory.mkdir()
    unrelated = [
        directory / "notes.txt",
        directory / f"caseflow-{other}-20200101T000000.000000Z.backup",
        directory / "caseflow-export.zip",
    ]
    for path in unrelated:
        path.write_text("keep me")
    made = [services.backup_to_directory(directory, keep=3) for _ in range(5)]
    assert len(set(made)) == 5
    assert all(p.name.startswith(f"caseflow-{kind}-") for p in made)
    backups = sorted(p for p in directory.iterdir() if p.name.startswith(f"caseflow-{kind}-"))
    assert backups == made[-3:]
    assert all(p.exists() for p in unrelated)
    assert sorted(services.prune_backups(directory, 1)) == made[-3:-1]
    assert all(p.exists() for p in [made[-1], *unrelated])
    with pytest.raises(BackupError, match="at least one"):
        services.backup_to_directory(directory, keep=0)


def test_the_cli_backs_up_and_restores(app, filled, target_app, tmp_path):
    source = everything()
    path = tmp_path / "cli.backup"
    result = app.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    assert f"Backup written to {path}" in result.output
    assert "NOT encrypted" in result.output

    with target_app.app_context():
        runner = target_app.test_cli_runner()
        refused = runner.invoke(args=["restore", str(path)])
        assert refused.exit_code != 0
        assert "run again with --yes" in refused.output
        assert table_names() == []
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code == 0, result.output
        assert "Restored" in result.output
        assert everything() == source
        again = runner.invoke(args=["restore", str(path), "--yes"])
        assert again.exit_code != 0
        assert "not empty" in again.output


def test_the_cli_writes_into_backup_dir_and_keeps_backup_keep(app, filled, tmp_path):
    app.config.update(BACKUP_DIR=str(tmp_path / "scheduled"), BACKUP_KEEP=2, BACKUP_KEY=KEY)
    try:
        for _ in range(3):
            result = app.test_cli_runner().invoke(args=["backup"])
            assert result.exit_code == 0, result.output
            assert "NOT encrypted" not in result.output
        short = app.test_cli_runner().invoke(args=["backup", "--keep", "1"])
        assert short.exit_code == 0, short.output
        app.config["BACKUP_KEY"] = "short"
        too_short = app.test_cli_runner().invoke(args=["backup"])
        app.config["BACKUP_KEY"] = 12345678901234567890  # CASEFLOW_BACKUP_KEY unquoted
        number = app.test_cli_runner().invoke(args=["backup"])
    finally:
        app.config.update(BACKUP_DIR=None, BACKUP_KEEP=14, BACKUP_KEY=None)
    files = list((tmp_path / "scheduled").iterdir())
    assert len(files) == 1
    assert services.read_header(files[0])["encrypted"] is True
    assert too_short.exit_code != 0
    assert "BACKUP_KEY is too short" in too_short.output
    assert number.exit_code != 0
    assert "BACKUP_KEY must be text" in number.output


def test_the_password_goes_to_pg_tools_through_the_environment_only():
    conninfo, env = services._libpq(
        make_url("postgresql+psycopg://caseflow:s3cret%40pw@db.example:5433/caseflow")
    )
    assert conninfo == "postgresql://caseflow@db.example:5433/caseflow"
    assert "s3cret" not in conninfo
    assert env["PGPASSWORD"] == "s3cret@pw"


def test_stale_wal_files_next_to_a_missing_sqlite_target_do_not_corrupt_the_restore(
    app, filled, target_app, tmp_path
):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    source = everything()
    path = services.create_backup(tmp_path / "caseflow.backup")
    target = Path(make_url(target_app.config["SQLALCHEMY_DATABASE_URI"]).database)
    # A WAL with valid frames from some other database, left behind when it was deleted.
    other = tmp_path / "other.sqlite"
    writer = sqlite3.connect(other, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, stale TEXT)")
    writer.execute("INSERT INTO cases VALUES (1, 'stale row')")
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").write_bytes(Path(f"{other}{suffix}").read_bytes())
    writer.close()
    assert not target.exists()

    assert restore_into(target_app, path) == source
    with sqlite3.connect(target) as check:
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    check.close()


def test_restore_never_needs_the_old_schema(app, filled, target_app, tmp_path):
    """Restoring into a database whose file exists but holds nothing works (SQLite), as
    does a database created just now (PostgreSQL): no migration runs first."""
    path = services.create_backup(tmp_path / "caseflow.backup")
    if db.engine.dialect.name == "sqlite":
        target = Path(make_url(target_app.config["SQLALCHEMY_DATABASE_URI"]).database)
        sqlite3.connect(target).close()  # an empty file
        assert target.exists()
    source = everything()
    assert restore_into(target_app, path) == source


def test_a_failing_dump_raises_a_clear_error_and_leaves_no_file(app, filled, tmp_path):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        missing = url.set(database=str(tmp_path / "missing.sqlite"))
        expected = "does not exist"
    else:
        missing = url.set(database=f"{url.database}_missing")
        expected = "pg_dump failed"
    app.config["SQLALCHEMY_DATABASE_URI"] = missing.render_as_string(hide_password=False)
    try:
        with pytest.raises(BackupError, match=expected):
            services.create_backup(tmp_path / "caseflow.backup")
    finally:
        app.config["SQLALCHEMY_DATABASE_URI"] = url.render_as_string(hide_password=False)
    assert list(tmp_path.iterdir()) == []


def test_encrypted_chunks_cannot_be_reordered_or_dropped(
    app, filled, target_app, tmp_path, monkeypatch
):
    """Small chunks, so that the backup has many: a round trip still works, and a backup
    with two chunks swapped or its last chunk cut off is refused as damaged."""
    monkeypatch.setattr(services, "CHUNK_SIZE", 4096)
    source = everything()
    path = encrypted_backup(app, tmp_path / "chunked.backup")
    with open(path, "rb") as handle:
        header = handle.readline() + handle.readline()
        chunks = []
        while size := handle.read(4):
            chunks.append(size + handle.read(int.from_bytes(size, "big")))
    assert len(chunks) > 3
    assert all(len(chunk) == 4 + 4096 + 16 for chunk in chunks[:-1])
    swapped = tmp_path / "swapped.backup"
    swapped.write_bytes(header + chunks[1] + chunks[0] + b"".join(chunks[2:]))
    cut = tmp_path / "cut.backup"
    cut.write_bytes(header + b"".join(chunks[:-1]))
    target_app.config["BACKUP_KEY"] = KEY
    with target_app.app_context():
        for damaged in (swapped, cut):
            with pytest.raises(BackupError, match="damaged"):
                services.restore_backup(damaged)
            assert table_names() == []
    assert restore_into(target_app, path) == source


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_attached_files_are_backed_up_and_restored_with_the_same_bytes(
    app, filled, target_app, tmp_path, encrypted, monkeypatch
):
    """Back up, delete the files, restore: every file is back, byte for byte, under the
    name its row holds."""
    files = _files(upload_folder())
    assert len(files) == 2
    if encrypted:
        monkeypatch.setitem(app.config, "BACKUP_KEY", KEY)
        target_app.config["BACKUP_KEY"] = KEY
    path = services.create_backup(tmp_path / "with-files.backup")
    header = services.read_header(path)
    assert header["payload"] == "tar" and header["files"] == 2
    if not encrypted:
        raw = path.read_bytes()
        assert all(content in raw for content in files.values())  # stored as they are
    for stored in list(stored_files()):
        stored.unlink()  # the files are lost

    source = everything()
    assert restore_into(target_app, path) == source
    restored_folder = Path(target_app.config["UPLOAD_FOLDER"])
    assert _files(restored_folder) == files
    assert not [p for p in restored_folder.iterdir() if p.name.startswith(".restore")]
    with target_app.app_context():
        result = target_app.test_cli_runner().invoke(args=["attachments", "check"])
    assert "0 missing, 0 orphaned" in result.output


def test_a_restore_into_a_folder_that_holds_files_is_refused(app, filled, target_app, tmp_path):
    path = services.create_backup(tmp_path / "with-files.backup")
    folder = Path(target_app.config["UPLOAD_FOLDER"]) / "ab"
    folder.mkdir(parents=True)
    (folder / ("ab" + "1" * 30)).write_bytes(b"someone else's file")
    with target_app.app_context():
        with pytest.raises(BackupError, match="folder of attached files"):
            services.restore_backup(path)
        assert table_names() == []


def test_a_version_1_backup_without_files_still_restores(app, filled, target_app, tmp_path):
    """Backups made before files existed: the payload is the database alone."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("made by hand from an SQLite file")
    source = everything()
    database = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(database) as live, sqlite3.connect(copy) as target:
        live.backup(target)
    header = {"format": "sqlite", "encrypted": False, "created_at": "2026-11-01T00:00:00+00:00"}
    old = tmp_path / "old.backup"
    old.write_bytes(services.MAGIC_V1 + json.dumps(header).encode() + b"\n" + copy.read_bytes())
    assert restore_into(target_app, old) == source
    assert list(Path(target_app.config["UPLOAD_FOLDER"]).rglob("*.png")) == []


def test_a_backup_with_a_stray_path_in_its_archive_is_refused(app, target_app, tmp_path):
    """A hand-made archive naming ../ or an absolute path never writes outside."""
    import io as _io
    import tarfile

    buffer = _io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name in ("database.sqlite", "files/../../escape.txt"):
            info = tarfile.TarInfo(name)
            info.size = 3
            archive.addfile(info, _io.BytesIO(b"bad"))
    kind = db.engine.dialect.name
    header = {"format": kind, "encrypted": False, "created_at": "x", "payload": "tar"}
    if kind != "sqlite":
        pytest.skip("the SQLite member name is the one checked here")
    stray = tmp_path / "stray.backup"
    stray.write_bytes(services.MAGIC + json.dumps(header).encode() + b"\n" + buffer.getvalue())
    with target_app.app_context():
        with pytest.raises(BackupError, match="damaged"):
            services.restore_backup(stray)
        assert table_names() == []
    assert not (tmp_path / "escape.txt").exists()
    assert not any(Path(target_app.config["UPLOAD_FOLDER"]).rglob("*"))
