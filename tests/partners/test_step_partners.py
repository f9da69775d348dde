"""A checklist step that recommends a type of partner: the admin sets it on the template
step; the step page lists the centre's active partners of that type; with "show to the
client" the client's checklist (PDF, so the email's attachment too) and page show their
name and website only; so does the checklist email's text (nl/en/fr)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from caseflow.checklists.models import ChecklistItem, ItemState, TemplateItem
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.time import today
from caseflow.documents.services import client_checklist_html
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from caseflow.partners.services import create_partner
from caseflow.portal.services import create_link
from tests.conftest import person


@pytest.fixture
def step(centre, other_centre, make_user, make_case):
    seed_catalogue(centre)
    admin = make_user("admin")
    advisor = make_user("advisor")
    case = make_case(
        advisor,
        client_language="fr",
        contact_email="okafor@example.net",
        arrival_date=today() - timedelta(days=10),
        persons=[person("Chidi", "Okafor", date_of_birth=date(1985, 6, 6))],
    )
    item = (
        db.session.scalars(
            select(ChecklistItem)
            .join(TemplateItem, TemplateItem.id == ChecklistItem.template_item_id)
            .where(ChecklistItem.case_id == case.id, TemplateItem.key == "health_fund")
        ).first()
        or db.session.scalars(
            select(ChecklistItem).where(ChecklistItem.case_id == case.id).order_by(ChecklistItem.id)
        ).first()
    )
    template_item = db.session.get(TemplateItem, item.template_item_id)
    common = {"type": "health_fund", "email_language": "nl", "phone": "+32 11 99 99 99"}
    create_partner(
        centre.id, common | {"name": "Zorgkas Noord", "website": "https://zorgkas.example.org"}
    )
    create_partner(centre.id, common | {"name": "Oude Zorgkas", "is_active": False})
    create_partner(centre.id, common | {"name": "Bank Demer", "type": "bank"})
    create_partner(other_centre.id, common | {"name": "Zorgkas Elders"})
    db.session.commit()
    return admin, advisor, case, item, template_item


def _set_step(client, template_item, partner_type, for_client):
    url = f"/admin/checklists/{template_item.template_id}/items/{template_item.id}"
    page = client.get(url)
    assert page.status_code == 200 and "Recommended partners" in page.get_data(as_text=True)
    ti = template_item
    data = {
        "category": ti.category.value,
        "title_en": ti.title_en,
        "title_nl": ti.title_nl,
        "title_fr": ti.title_fr,
        "explanation_en": ti.explanation_en,
        "explanation_nl": ti.explanation_nl,
        "explanation_fr": ti.explanation_fr,
        "scope": ti.scope.value,
        "nationality_group": ti.nationality_group.value if ti.nationality_group else "",
        "household_roles": ti.household_roles,
        "min_age": ti.min_age if ti.min_age is not None else "",
        "max_age": ti.max_age if ti.max_age is not None else "",
        "deadline_kind": ti.deadline_kind.value,
        "deadline_value": ti.deadline_value if ti.deadline_value is not None else "",
        "deadline_value_to": ti.deadline_value_to if ti.deadline_value_to is not None else "",
        "is_active": "y",
        "partner_type": partner_type,
    }
    if ti.is_required:
        data["is_required"] = "y"
    if for_client:
        data["partners_for_client"] = "y"
    return client.post_form(url, data)


def test_the_admin_sets_a_partner_type_and_the_step_lists_the_partners(step, client_for):
    admin, advisor, case, item, template_item = step
    response = _set_step(client_for(admin), template_item, "health_fund", False)
    assert response.status_code == 302
    db.session.expire_all()
    template_item = db.session.get(TemplateItem, template_item.id)
    assert template_item.partner_type == "health_fund"
    assert template_item.partners_for_client is False
    page = client_for(advisor).get(f"/cases/{case.id}/checklist/{item.id}").get_data(as_text=True)
    assert 'id="recommended-partners"' in page and "Zorgkas Noord" in page
    # Only the centre's active partners of that type.
    for absent in ("Oude Zorgkas", "Bank Demer", "Zorgkas Elders"):
        assert absent not in page
    # Not for the client yet.
    html = client_checklist_html(case.id, "Expat Centre Limburg")
    assert "Zorgkas Noord" not in html


def test_a_partner_type_that_is_not_a_type_is_refused(step, client_for):
    admin, _advisor, _case, _item, template_item = step
    response = _set_step(client_for(admin), template_item, "church", False)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(TemplateItem, template_item.id).partner_type is None


def test_shown_to_the_client_name_and_website_only(step, client_for):
    admin, advisor, case, item, template_item = step
    assert _set_step(client_for(admin), template_item, "health_fund", True).status_code == 302
    html = client_checklist_html(case.id, "Expat Centre Limburg")
    assert "Zorgkas Noord" in html and "https://zorgkas.example.org" in html
    assert "Organisations qui peuvent vous aider" in html  # the client's language
    assert "+32 11 99 99 99" not in html and "Bank Demer" not in html
    token = create_link(case, advisor)
    db.session.commit()
    page = client_for(None).get(f"/p/{token}").get_data(as_text=True)
    assert "Zorgkas Noord" in page and 'href="https://zorgkas.example.org"' in page
    assert "+32 11 99 99 99" not in page and "Oude Zorgkas" not in page


def _send_checklist_email(client, case) -> OutboxMessage:
    response = client.post_form(
        f"/cases/{case.id}/email-checklist",
        {"recipients": ["okafor@example.net"], "personal_message": "", "action": "send"},
    )
    assert response.status_code == 302
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)).one()


@pytest.mark.parametrize(
    ("language", "helps"),
    [
        ("en", "Organisations that can help:"),
        ("nl", "Organisaties die kunnen helpen:"),
        ("fr", "Organisations qui peuvent vous aider :"),
    ],
)
def test_the_checklist_email_names_the_partners_for_the_step(step, client_for, language, helps):
    admin, advisor, case, item, template_item = step
    assert _set_step(client_for(admin), template_item, "health_fund", True).status_code == 302
    case.client_language = language
    db.session.commit()
    title = template_item.title(language)

    message = _send_checklist_email(client_for(advisor), case)

    line = f"{title} – {helps} Zorgkas Noord (https://zorgkas.example.org)"
    assert line in message.text_body.splitlines()
    assert f"<strong>{title}</strong> – {helps}" in message.html_body
    assert '<a href="https://zorgkas.example.org">Zorgkas Noord</a>' in message.html_body
    # Name and website only, of the centre's active partners of the step's type.
    for body in (message.text_body, message.html_body):
        for absent in ("+32 11 99 99 99", "Oude Zorgkas", "Bank Demer", "Zorgkas Elders"):
            assert absent not in body, absent


@pytest.mark.parametrize("closed", [False, True])
def test_the_checklist_email_names_no_partner_the_step_does_not_show(step, client_for, closed):
    """A step with a partner type not shown to the client, or shown but done: no partner."""
    admin, advisor, case, item, template_item = step
    assert _set_step(client_for(admin), template_item, "health_fund", closed).status_code == 302
    if closed:
        item.state = ItemState.DONE
    db.session.commit()

    message = _send_checklist_email(client_for(advisor), case)

    for body in (message.text_body, message.html_body):
        assert "Zorgkas" not in body and "Organisations qui peuvent vous aider" not in body
