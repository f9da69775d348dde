"""Logging a first-line contact, the contact lists, the topic list, and "Turn into a
case" (through cases.intake_hooks: the new-case form is the cases package's)."""

import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from caseflow.auth.access import requires
from caseflow.auth.models import User
from caseflow.auth.permissions import (
    can_delete_contact,
    can_edit_contact,
    can_log_contact,
    can_manage_contact_topics,
    can_see_centre_contacts,
    can_see_contact,
    can_view_case,
)
from caseflow.cases.intake_hooks import IntakeSource, register_intake_source
from caseflow.cases.models import Case, ReferralChannel
from caseflow.cases.page import register_page_branch
from caseflow.centres.services import register_centre_setup
from caseflow.contacts import case_panel, services
from caseflow.contacts.access import contact_record
from caseflow.contacts.forms import (
    ConfirmForm,
    ContactEditForm,
    ContactFilterForm,
    ContactForm,
    TopicForm,
)
from caseflow.contacts.labels import CHANNEL
from caseflow.contacts.models import Contact, ContactChannel, ContactTopic, contact_topic_links
from caseflow.core.audit import annotate, audited
from caseflow.core.countries import country_name
from caseflow.core.errors import DomainError
from caseflow.core.named_lists import save_entry
from caseflow.core.time import today
from caseflow.core.transactions import unit_of_work
from caseflow.core.urls import safe_next
from caseflow.core.web import page_number
from caseflow.extensions import db

bp = Blueprint("contacts", __name__, url_prefix="/contacts")

PER_PAGE = 50


@bp.route("/new", methods=["GET", "POST"])
@audited("contact.create", object_type="contact", view_action=None)
@requires(can_log_contact)
def new():
    topics = services.centre_topics(current_user.centre_id, active_only=True)
    form = ContactForm(topics=topics)
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        form.contact_date.data = today()
        form.case_reference.data = _case_of_page(form.next.data)
    elif form.validate():
        case = None
        if form.case_reference.data:
            case = services.find_case(current_user, form.case_reference.data)
            if case is None:
                form.case_reference.errors = [
                    _("No case with this reference. Check the reference.")
                ]
        if not form.case_reference.errors:
            with unit_of_work() as work:
                contact = services.log_contact(current_user, form.to_data(), case)
            if not work.failed:
                annotate(object_id=contact.id, case_id=contact.case_id)
                flash(_("Contact logged."), "success")
                return redirect(safe_next(form.next.data) or url_for("contacts.mine"))
    if request.method == "POST":
        return render_template("contacts/new.html", form=form), 400
    return render_template("contacts/new.html", form=form)


CASE_PAGE = re.compile(r"^/cases/([1-9][0-9]{0,9})(?:[/?#]|$)")


def _case_of_page(path: str) -> str | None:
    """Logged from a case's page: that case's reference, prefilled (when visible)."""
    match = CASE_PAGE.match(path or "")
    if match is None:
        return None
    case = db.session.get(Case, int(match.group(1)))
    return case.reference if case is not None and can_view_case(current_user, case) else None


def _list(endpoint: str, title: str, *where):
    topics = services.centre_topics(current_user.centre_id)
    filters = ContactFilterForm(request.args, topics=topics)
    valid = filters.validate()
    query = (
        select(Contact)
        .where(Contact.centre_id == current_user.centre_id, *where)
        .options(
            selectinload(Contact.topics),
            joinedload(Contact.case),
            joinedload(Contact.logged_by),
        )
        .order_by(Contact.contact_date.desc(), Contact.id.desc())
    )
    if valid:
        if filters.start.data:
            query = query.where(Contact.contact_date >= filters.start.data)
        if filters.end.data:
            query = query.where(Contact.contact_date <= filters.end.data)
        if filters.channel.data:
            query = query.where(Contact.channel == ContactChannel(filters.channel.data))
        if filters.topic.data:
            chosen = select(contact_topic_links.c.contact_id).where(
                contact_topic_links.c.topic_id == int(filters.topic.data)
            )
            query = query.where(Contact.id.in_(chosen))
    pagination = db.paginate(query, page=page_number(), per_page=PER_PAGE, error_out=False)
    return render_template(
        "contacts/index.html",
        pagination=pagination,
        filters=filters,
        endpoint=endpoint,
        title=title,
        show_author=endpoint == "contacts.centre",
        channel_labels=CHANNEL,
        country_name=country_name,
    ), (200 if valid else 400)


@bp.get("")
@audited("contact.list", object_type="contact")
@requires(can_log_contact)
def mine():
    return _list("contacts.mine", _("My contacts"), Contact.logged_by_id == current_user.id)


@bp.get("/centre")
@audited("contact.list_centre", object_type="contact")
@requires(can_see_centre_contacts)
def centre():
    return _list("contacts.centre", _("The centre's contacts"))


# --- one contact: its page, edit, erase, delete --------------------------------------


@bp.get("/<id:contact_id>")
@audited("contact.view", object_type="contact", id_arg="contact_id")
@contact_record(can_see_contact)
def detail(contact: Contact):
    return render_template(
        "contacts/detail.html",
        contact=contact,
        channel_labels=CHANNEL,
        country_name=country_name,
        case_visible=contact.case is not None and can_view_case(current_user, contact.case),
        may_edit=can_edit_contact(current_user, contact),
        may_delete=can_delete_contact(current_user, contact),
    )


@bp.route("/<id:contact_id>/edit", methods=["GET", "POST"])
@audited("contact.update", object_type="contact", id_arg="contact_id", view_action="contact.view")
@contact_record(can_edit_contact)
def edit(contact: Contact):
    # The active topics, and the inactive ones this contact still has.
    topics = [
        t for t in services.centre_topics(contact.centre_id) if t.is_active or t in contact.topics
    ]
    form = ContactEditForm(obj=contact if request.method == "GET" else None, topics=topics)
    status = 200
    if request.method == "GET":
        form.topics.data = [t.id for t in contact.topics]
        form.channel.data = contact.channel.value
        form.nationality.data = contact.nationality or ""
        form.case_reference.data = contact.case.reference if contact.case else None
        form.version.data = services.fingerprint(contact)
    elif form.validate():
        case = None
        reference = form.case_reference.data
        if reference and contact.case is not None and reference == contact.case.reference:
            case = contact.case  # kept as it was, even when the editor cannot see it
        elif reference:
            case = services.find_case(current_user, reference)
            if case is None:
                form.case_reference.errors = [
                    _("No case with this reference. Check the reference.")
                ]
        if not form.case_reference.errors:
            with unit_of_work(catch=DomainError) as work:
                services.update_contact(
                    contact, current_user, form.to_data(), case, form.version.data
                )
            if not work.failed:
                annotate(case_id=contact.case_id)
                flash(_("Contact saved."), "success")
                return redirect(url_for("contacts.detail", contact_id=contact.id))
            status = work.status
        else:
            status = 400
    else:
        status = 400
    return render_template("contacts/new.html", form=form, contact=contact), status


@bp.route("/<id:contact_id>/erase", methods=["GET", "POST"])
@audited("contact.erase", object_type="contact", id_arg="contact_id", view_action="contact.view")
@contact_record(can_edit_contact)
def erase(contact: Contact):
    form = ConfirmForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            erased = services.erase_contact(contact)
        if not work.failed:
            annotate(case_id=contact.case_id)
            flash(
                _("Name and note erased.") if erased else _("There was no name or note."),
                "success",
            )
            return redirect(url_for("contacts.detail", contact_id=contact.id))
    status = 400 if form.is_submitted() else 200
    return render_template("contacts/confirm.html", form=form, contact=contact, kind="erase"), (
        status
    )


@bp.route("/<id:contact_id>/delete", methods=["GET", "POST"])
@audited("contact.delete", object_type="contact", id_arg="contact_id", view_action="contact.view")
@contact_record(can_delete_contact)
def delete(contact: Contact):
    form = ConfirmForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.delete_contact(contact)
        if not work.failed:
            flash(_("Contact deleted."), "success")
            return redirect(url_for("contacts.mine"))
    status = 400 if form.is_submitted() else 200
    return render_template("contacts/confirm.html", form=form, contact=contact, kind="delete"), (
        status
    )


# --- topics (admins) ----------------------------------------------------------------


@bp.route("/topics", methods=["GET", "POST"])
@audited("contact_topic.create", object_type="contact_topic", view_action=None)
@requires(can_manage_contact_topics)
def topics():
    form = TopicForm()
    saved = save_entry(
        form,
        lambda values: services.save_topic(current_user.centre_id, None, **values),
        saved=_("Topic added."),
        list_endpoint="contacts.topics",
        new=True,
    )
    if saved:
        return saved
    return render_template(
        "shared/named_list.html",
        form=form,
        heading=_("Contact topics"),
        intro=_(
            "What first-line questions are about. Advisors tick one or more when they log a "
            "contact; the funder report counts them."
        ),
        entries=services.centre_topics(current_user.centre_id),
        edit_url=lambda entry: url_for("contacts.topic_edit", topic_id=entry.id),
        empty_text=_("No topics yet."),
        add_heading=_("Add a topic"),
        add_label=_("Add topic"),
    ), (400 if form.is_submitted() else 200)


@bp.route("/topics/<id:topic_id>", methods=["GET", "POST"])
@audited(
    "contact_topic.update",
    object_type="contact_topic",
    id_arg="topic_id",
    view_action="contact_topic.view",
)
@requires(can_manage_contact_topics)
def topic_edit(topic_id: int):
    topic = db.session.get(ContactTopic, topic_id)
    if topic is None or topic.centre_id != current_user.centre_id:
        abort(404)
    form = TopicForm(obj=topic if request.method == "GET" else None)
    saved = save_entry(
        form,
        lambda values: services.save_topic(current_user.centre_id, topic, **values),
        saved=_("Topic saved."),
        list_endpoint="contacts.topics",
        new=False,
    )
    if saved:
        return saved
    return render_template(
        "shared/named_entry_edit.html",
        form=form,
        entry=topic,
        heading=_("Edit contact topic"),
        retired_hint=_(
            "A retired topic stays on the contacts already logged and in the report, but is "
            "no longer offered."
        ),
        list_url=url_for("contacts.topics"),
    ), (400 if form.is_submitted() else 200)


# --- "Turn into a case" -------------------------------------------------------------

REFERRAL_OF_CHANNEL = {
    ContactChannel.EVENT: ReferralChannel.EVENT,
    ContactChannel.WEBSITE: ReferralChannel.WEBSITE,
}


def _usable_contact(contact_id: int, user: User) -> Contact | None:
    contact = services.contact_with_topics(contact_id)
    if contact is None or not can_see_contact(user, contact) or contact.converted_at is not None:
        return None
    return contact


def _prefill(form, contact_id: int, user: User) -> bool:
    """The new-case form from a contact: municipality, channel, and a first person with
    the nationality and (when known) the name."""
    contact = _usable_contact(contact_id, user)
    if contact is None:
        return False
    form.municipality.data = contact.municipality
    channel = REFERRAL_OF_CHANNEL.get(contact.channel)
    form.referral_channel.data = channel.value if channel else ""
    row = form.persons.entries[0].form if form.persons.entries else None
    if row is not None:
        row.nationality.data = contact.nationality or ""
        if contact.name:
            first, _sep, last = contact.name.rpartition(" ")
            row.first_name.data = first or None
            row.last_name.data = last
    return True


def _created(case: Case, contact_id: int, user: User) -> None:
    contact = services.contact_with_topics(contact_id)
    if contact is None:
        services.raise_gone()
    services.link_new_case(contact, case, user)


@bp.record_once
def _register(state) -> None:
    register_intake_source("contact", IntakeSource(prefill=_prefill, created=_created))
    register_page_branch(case_panel.KIND, case_panel.build, case_panel.to_context)
    state.app.jinja_env.globals["contact_channel_labels"] = CHANNEL
    # Every new centre starts with the default topics (the migration gave them to the
    # centres that existed before).
    register_centre_setup(_default_topics)


def _default_topics(centre) -> None:
    services.ensure_default_topics(centre.id)
