"""Subject access (GDPR art. 15 and 20): everything held about a household or a person.

``collect(case_id, person_id=None)`` reads, never writes: it returns plain data (dicts,
lists, strings, numbers: exactly what ``data.json`` holds), so the caller can end its
transaction before anything slow happens. ``summary_html(data)`` and ``write_zip(...)``
touch no database. The routes and the CLI end the transaction before rendering the PDF
and record the export (``record_export``, which flushes and never commits).

What ``data.json`` holds (``FORMAT``; keys are stable, documented in the README):

- ``format``, ``generated_at`` (UTC, ISO 8601 with ``Z``), ``scope`` (``{"kind":
  "case"}`` or ``{"kind": "person", "person_id": N}``), ``centre`` (its name);
- one key per table that belongs to a case (``TABLE_KEYS``): ``case`` (one object),
  ``persons``, ``checklist_items``, ``checklist_events`` (the steps' history),
  ``notes``, ``note_revisions`` (earlier texts), ``followups``, ``reviews``,
  ``timeline`` (the case's activity), ``emails`` (with ``text_body`` and ``html_body``
  while they are kept, ``null`` once pruned), ``email_attachments`` (listed: name,
  type and size, never the content), ``export_jobs`` (bulk exports that included the
  case), ``files`` (attached documents: name, type, size, checksum, step; the file
  itself is in the ZIP under the entry's ``file``), ``client_page_links`` (the links to
  the client's page: when made, by whom, until when, last opened, revoked; never the
  secret), ``client_claims`` (steps the client reported done, and the advisor's
  answer), ``client_messages`` (the client's questions), ``event_invitation_consent``
  (the consent to event invitations: given when and by whom, withdrawn when, by whom or
  through the client's link), ``event_invitations`` (each event the household was
  invited to: when, the answer, how many people, attendance; never the link's secret),
  ``referrals`` (referrals to
  the centre's partners: partner, persons concerned, reason, consent, the details
  shared, state), ``first_line_contacts``
  (short questions logged about the case or that it was made from: date, channel,
  minutes, name and note while kept) with ``first_line_contact_topics`` (their
  topics, by name) and ``access_log`` (every audit
  event of the case: who viewed, changed, exported or emailed its data, when, and the
  outcome).

Every row is a list entry with the table's own column names; dates and times are ISO
8601, enums their values. A column that names a staff member (``advisor_id``,
``author_id``...) becomes that member's name under the key without ``_id``
(``advisor``); staff email addresses, password hashes, binary contents, SMTP errors,
worker bookkeeping, source addresses and request ids are left out (``OMITTED``).

A person's export (``person_id``) holds the household-level data (the case, household
checklist steps, notes, follow-ups, reviews, timeline, emails, export jobs, access log)
plus only that person's person-level rows: their ``persons`` row, their checklist steps
and those steps' history. The other members' rows and the steps kept for former
members are left out, and the other members' email addresses are replaced by
``REDACTED`` in email recipients and in the timeline. Free text written by staff (notes,
follow-ups, reviews, email bodies) is about the household and is included as written:
the centre reads it before handing the export over (GDPR art. 15(4)).
"""

import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import IO, Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Table, and_, or_, select

from caseflow.attachments.storage import ACCEPTED_TYPES, path_of
from caseflow.cases.models import ActivityKind
from caseflow.cases.timeline import record as timeline_record
from caseflow.cases.topics import topic_labels
from caseflow.core.audit import record
from caseflow.core.downloads import safe_filename
from caseflow.core.i18n import format_day, format_moment
from caseflow.core.time import utcnow
from caseflow.extensions import db
from caseflow.privacy import labels

FORMAT = "caseflow-subject-access/1"
REDACTED = "(another household member)"

# Every table that belongs to a case (a foreign-key path to cases or persons, or a
# case id of its own) and the key of data.json that holds its rows. A new such table
# must be added here: tests/privacy/test_schema_walk.py fails until it is.
TABLE_KEYS = {
    "cases": "case",
    "persons": "persons",
    "checklist_items": "checklist_items",
    "checklist_events": "checklist_events",
    "notes": "notes",
    "note_revisions": "note_revisions",
    "followups": "followups",
    "review_requests": "reviews",
    "activities": "timeline",
    "outbox_messages": "emails",
    "outbox_attachments": "email_attachments",
    "portal_links": "client_page_links",
    "portal_claims": "client_claims",
    "portal_messages": "client_messages",
    # The household's consent to event invitations (caseflow/events): when given, by
    # whom, when withdrawn and how.
    "event_invitation_consents": "event_invitation_consent",
    "event_invitations": "event_invitations",  # invited, the answer, attended
    "referrals": "referrals",
    "export_jobs": "export_jobs",  # no foreign key: the case ids are a JSON list
    "attachments": "files",  # the files themselves are in the ZIP, under "file"
    "contacts": "first_line_contacts",  # questions about the case or that became it
    "contact_topic_links": "first_line_contact_topics",
    "audit_events": "access_log",  # no foreign key: a plain case_id column
}

# Columns never exported: internal bookkeeping, secrets, binary contents, other
# installations' details. (Staff ids become names, see ``_row``.)
OMITTED = {
    "cases": {"centre_id", "version", "case_type_id"},
    "checklist_items": {"version", "template_item_id"},
    "notes": {"version"},
    "followups": {"version"},
    "referrals": {"version"},
    "outbox_messages": {
        "centre_id",
        "reply_to",  # the advisor's own address: staff are named, never addressed
        "headers",  # technical (List-Unsubscribe: the link is in the body already)
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "last_error",
    },
    "outbox_attachments": {"data"},
    # Only a hash of the secret link is stored; it is no use to anyone, the client
    # included (the dates say when it was made, opened, revoked).
    "portal_links": {"token_hash"},
    "event_invitations": {"token_hash"},
    "export_jobs": {
        "centre_id",
        "case_ids",
        "result",
        "error",
        "attempts",
        "claimed_by",
        "heartbeat_at",
    },
    "audit_events": {"centre_id", "source_address", "request_id", "details", "user_id"},
    "attachments": {"stored_name"},  # the random name on the server's disk
    "contacts": {"centre_id"},
}


def _table(name: str) -> Table:
    return db.metadata.tables[name]


def _json_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds") + "Z"  # stored as naive UTC
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return None  # never reached: binary columns are omitted
    return value


def _staff_columns(table: Table) -> set[str]:
    """The columns that name a staff member (a foreign key to users)."""
    return {
        column.name
        for column in table.columns
        if any(fk.column.table.name == "users" for fk in column.foreign_keys)
    }


def _rows(table_name: str, *where) -> list[dict]:
    table = _table(table_name)
    query = select(table).where(*where).order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in db.session.execute(query)]


def _ids(rows: Iterable[dict], key: str = "id") -> list[int]:
    return [row[key] for row in rows]


def _export_jobs_of(case_id: int, centre_id: int) -> list[dict]:
    """Bulk exports that included the case: the case ids are a JSON list (read in
    Python, the same on SQLite and PostgreSQL)."""
    jobs = _rows("export_jobs", _table("export_jobs").c.centre_id == centre_id)
    found = []
    for job in jobs:
        case_ids = job["case_ids"] or []
        if case_id in case_ids:
            found.append(job | {"cases_in_export": len(case_ids)})
    return found


def _referrals(case_id: int) -> list[dict]:
    """A case's referrals, each with the partner's name (the partner itself is the
    centre's directory, not the client's data)."""
    referrals = _rows("referrals", _table("referrals").c.case_id == case_id)
    partners = _table("partners")
    ids = {row["partner_id"] for row in referrals}
    names = (
        dict(
            db.session.execute(
                select(partners.c.id, partners.c.name).where(partners.c.id.in_(ids))
            ).all()
        )
        if ids
        else {}
    )
    return [row | {"partner": names.get(row["partner_id"])} for row in referrals]


def case_rows(case_id: int, person_id: int | None = None) -> dict[str, list[dict]]:
    """The raw rows of each table in ``TABLE_KEYS`` that belong to the case (or to the
    household and that person). Reads only."""
    t = _table
    [case] = _rows("cases", t("cases").c.id == case_id)
    persons = _rows("persons", t("persons").c.case_id == case_id)
    items_table = t("checklist_items")
    item_filter = [items_table.c.case_id == case_id]
    if person_id is not None:
        persons = [p for p in persons if p["id"] == person_id]
        household_item = and_(
            items_table.c.person_id.is_(None), items_table.c.former_person_name.is_(None)
        )
        item_filter.append(or_(items_table.c.person_id == person_id, household_item))
    items = _rows("checklist_items", *item_filter)
    notes = _rows("notes", t("notes").c.case_id == case_id)
    contacts = _rows("contacts", t("contacts").c.case_id == case_id)
    messages = _rows("outbox_messages", t("outbox_messages").c.case_id == case_id)
    referrals = _referrals(case_id)
    if person_id is not None:
        # Only the referrals that concern the person, and not the emails of the others
        # (an introduction names the persons it concerns).
        others = [r for r in referrals if person_id not in (r["person_ids"] or [])]
        hidden = {r["outbox_message_id"] for r in others}
        referrals = [r for r in referrals if r not in others]
        messages = [m for m in messages if m["id"] not in hidden]
    files_table = t("attachments")
    file_filter = [files_table.c.case_id == case_id]
    if person_id is not None:
        # The household's files and those of this person's (and household) steps.
        file_filter.append(
            or_(
                files_table.c.checklist_item_id.is_(None),
                files_table.c.checklist_item_id.in_(_ids(items)),
            )
        )
    return {
        "cases": [case],
        "persons": persons,
        "checklist_items": items,
        "checklist_events": _rows(
            "checklist_events", t("checklist_events").c.item_id.in_(_ids(items))
        ),
        "notes": notes,
        "note_revisions": _rows("note_revisions", t("note_revisions").c.note_id.in_(_ids(notes))),
        "followups": _rows("followups", t("followups").c.case_id == case_id),
        "review_requests": _rows("review_requests", t("review_requests").c.case_id == case_id),
        "activities": _rows("activities", t("activities").c.case_id == case_id),
        "outbox_messages": messages,
        "outbox_attachments": _rows(
            "outbox_attachments", t("outbox_attachments").c.message_id.in_(_ids(messages))
        ),
        "portal_links": _rows("portal_links", t("portal_links").c.case_id == case_id),
        "portal_claims": _rows("portal_claims", t("portal_claims").c.item_id.in_(_ids(items))),
        "portal_messages": _rows("portal_messages", t("portal_messages").c.case_id == case_id),
        "event_invitation_consents": _rows(
            "event_invitation_consents", t("event_invitation_consents").c.case_id == case_id
        ),
        "event_invitations": _rows(
            "event_invitations", t("event_invitations").c.case_id == case_id
        ),
        "referrals": referrals,
        "export_jobs": _export_jobs_of(case_id, case["centre_id"]),
        "audit_events": _rows("audit_events", t("audit_events").c.case_id == case_id),
        "attachments": _rows("attachments", *file_filter),
        "contacts": contacts,
        "contact_topic_links": _rows(
            "contact_topic_links", t("contact_topic_links").c.contact_id.in_(_ids(contacts))
        ),
    }


def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    users = _table("users")
    query = select(users.c.id, users.c.full_name).where(users.c.id.in_(user_ids))
    return {row.id: row.full_name for row in db.session.execute(query)}


def _redact(value: Any, addresses: set[str]) -> Any:
    """``value`` with the given email addresses replaced by ``REDACTED`` (in strings,
    lists and dicts)."""
    if isinstance(value, str):
        return REDACTED if value.strip().lower() in addresses else value
    if isinstance(value, list):
        return [_redact(v, addresses) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, addresses) for k, v in value.items()}
    return value


def _row(table_name: str, row: dict, names: dict[int, str]) -> dict:
    """One exported row: public columns, staff ids as names, JSON-ready values."""
    table = _table(table_name)
    staff = _staff_columns(table)
    omitted = OMITTED.get(table_name, set())
    out: dict[str, Any] = {}
    for column in table.columns:
        name = column.name
        if name in omitted:
            continue
        value = row.get(name)
        if name in staff:
            out[name.removesuffix("_id")] = names.get(value) if value is not None else None
        else:
            out[name] = _json_value(value)
    return out


def collect(case_id: int, person_id: int | None = None) -> dict:
    """Everything held about the case (or the household and one person), as plain data:
    the content of data.json. Reads only; the caller ends the transaction after it."""
    raw = case_rows(case_id, person_id)
    case = raw["cases"][0]
    if person_id is not None and not raw["persons"]:
        raise LookupError(f"person {person_id} is not in case {case_id}")
    staff_ids = {
        row[column]
        for table_name, rows in raw.items()
        for column in _staff_columns(_table(table_name))
        for row in rows
        if row.get(column) is not None
    }
    staff_ids |= {e["user_id"] for e in raw["audit_events"] if e["user_id"] is not None}
    names = _names(staff_ids)
    data: dict[str, Any] = {
        "format": FORMAT,
        "generated_at": _json_value(utcnow()),
        "scope": {"kind": "case"}
        if person_id is None
        else {"kind": "person", "person_id": person_id},
        "centre": {"name": _centre_name(case["centre_id"])},
    }
    for table_name, key in TABLE_KEYS.items():
        data[key] = [_row(table_name, row, names) for row in raw[table_name]]
    data["case"] = data["case"][0]
    data["case"]["case_type"] = _case_type_name(case["case_type_id"], case["client_language"])
    _add_step_titles(data, raw["checklist_items"], case["client_language"])
    _add_attachment_sizes(data, raw["outbox_attachments"])
    for exported in data["files"]:
        exported["file"] = archive_name(exported)
    for exported, row in zip(data["referrals"], raw["referrals"], strict=True):
        exported["partner"] = row["partner"]  # the organisation's name
    _add_topic_names(data)
    for event, row in zip(data["access_log"], raw["audit_events"], strict=True):
        event["by"] = names.get(row["user_id"]) if row["user_id"] is not None else None
        event["kind"] = labels.access_kind(row["action"], row["outcome"])
    if person_id is not None:
        others = _other_addresses(case_id, person_id)
        for key in ("emails", "timeline"):
            data[key] = _redact(data[key], others)
    return data


def _centre_name(centre_id: int) -> str:
    centres = _table("centres")
    return db.session.scalar(select(centres.c.name).where(centres.c.id == centre_id))


def _case_type_name(case_type_id: int, language: Any) -> str:
    """The case type's name: Dutch for a Dutch-speaking client, else English (case
    types have no French name)."""
    types = _table("case_types")
    column = types.c.name_nl if getattr(language, "value", language) == "nl" else types.c.name_en
    return db.session.scalar(select(column).where(types.c.id == case_type_id))


def _add_step_titles(data: dict, items: list[dict], language: Any) -> None:
    """Each checklist step's title and category, in the client's language."""
    language = getattr(language, "value", language) or "en"
    template_ids = {item["template_item_id"] for item in items}
    if not template_ids:
        return
    steps = _table("checklist_template_items")
    query = select(steps).where(steps.c.id.in_(template_ids))
    titles = {}
    for step in db.session.execute(query):
        step = step._mapping
        title = step.get(f"title_{language}") or step["title_en"]
        titles[step["id"]] = (title, _json_value(step["category"]))
    for exported, item in zip(data["checklist_items"], items, strict=True):
        exported["step"], exported["category"] = titles[item["template_item_id"]]


def _add_topic_names(data: dict) -> None:
    """A first-line contact's topics by their English name (the ids mean nothing)."""
    links = data["first_line_contact_topics"]
    if not links:
        return
    topics = _table("contact_topics")
    query = select(topics.c.id, topics.c.name_en).where(
        topics.c.id.in_({link["topic_id"] for link in links})
    )
    names = {row.id: row.name_en for row in db.session.execute(query)}
    for link in links:
        link["topic"] = names.get(link["topic_id"])


def _add_attachment_sizes(data: dict, attachments: list[dict]) -> None:
    for exported, attachment in zip(data["email_attachments"], attachments, strict=True):
        exported["size_bytes"] = len(attachment["data"] or b"")


def archive_name(file_row: dict) -> str:
    """Where an attached file is in the ZIP: ``files/12-passport.pdf``."""
    stem = file_row["original_name"].rpartition(".")[0] or file_row["original_name"]
    suffix = ACCEPTED_TYPES.get(file_row["content_type"], "")
    return f"files/{file_row['id']}-{safe_filename(stem, suffix=suffix)}"


def attachment_files(data: dict) -> list[tuple[str, Path]]:
    """``(name in the ZIP, file on disk)`` of every file ``data`` lists. Reads the
    database (the stored names): call it in the same read as ``collect``."""
    ids = [row["id"] for row in data["files"]]
    if not ids:
        return []
    table = _table("attachments")
    query = select(table.c.id, table.c.stored_name).where(table.c.id.in_(ids))
    stored = {row.id: row.stored_name for row in db.session.execute(query)}
    return [
        (row["file"], path_of(stored[row["id"]])) for row in data["files"] if row["id"] in stored
    ]


def _other_addresses(case_id: int, person_id: int) -> set[str]:
    persons = _table("persons")
    query = select(persons.c.email).where(
        persons.c.case_id == case_id, persons.c.id != person_id, persons.c.email.is_not(None)
    )
    return {email.strip().lower() for email in db.session.scalars(query) if email.strip()}


# --- The readable PDF -----------------------------------------------------------------


def _parse(value: str | None) -> datetime | date | None:
    if not value:
        return None
    if "T" in value:
        return datetime.fromisoformat(value.removesuffix("Z"))
    return date.fromisoformat(value)


def _day(value: str | None) -> str:
    parsed = _parse(value)
    return format_day(parsed) if parsed else ""


def _moment(value: str | None) -> str:
    parsed = _parse(value)
    if isinstance(parsed, datetime):
        return format_moment(parsed)
    return format_day(parsed) if parsed else ""


def summary_html(data: dict) -> str:
    """The readable summary of ``data`` as HTML, in the case's client language (nl, en
    or fr). Touches no database."""
    case = data["case"]
    locale = case.get("client_language") or "en"
    person_names = {p["id"]: f"{p['first_name']} {p['last_name']}" for p in data["persons"]}
    with force_locale(locale):
        if data["scope"]["kind"] == "person":
            subject = person_names.get(data["scope"]["person_id"], "")
        else:
            subject = case["household_name"]
        return render_template(
            "privacy/summary.html",
            data=data,
            doc={"case": case},
            lang=locale,
            subject=subject,
            person_names=person_names,
            centre_name=data["centre"]["name"],
            doc_title=_("Your data held by %(centre)s", centre=data["centre"]["name"]),
            generated_line=_("Situation on %(when)s", when=_moment(data["generated_at"])[:10]),
            day=_day,
            moment=_moment,
            labels=labels,
            topic_labels=topic_labels,
        )


def write_zip(
    data: dict, pdf: bytes, target: IO[bytes], files: Iterable[tuple[str, Path]] = ()
) -> None:
    """Write the export (data.json, summary.pdf and the attached ``files``, from
    ``attachment_files``) as a ZIP to ``target``. A file missing from the disk is left
    out (data.json still lists it)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        archive.writestr("summary.pdf", pdf)
        for name, path in files:
            if path.is_file():
                # Already compressed (PDF, JPEG, PNG): stored as they are.
                archive.write(path, name, compress_type=zipfile.ZIP_STORED)


def zip_bytes(data: dict, pdf: bytes, files: Iterable[tuple[str, Path]] = ()) -> bytes:
    buffer = io.BytesIO()
    write_zip(data, pdf, buffer, files)
    return buffer.getvalue()


def record_export(case, actor, person_id: int | None = None, *, via: str = "web") -> None:
    """Account for an export: a ``privacy.export`` audit event (actor ``None`` and
    ``via: "cli"`` from the command line) and an entry on the case timeline. In a
    request the audit event is written after the response (``caseflow.core.audit``);
    outside one it joins the session. Never commits."""
    details: dict[str, Any] = {"via": via}
    if person_id is not None:
        details["person_id"] = person_id
    record(
        "privacy.export",
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        actor=actor,
        details=details,
    )
    timeline_record(case, actor, ActivityKind.EXPORTED, document="subject_access", **details)
