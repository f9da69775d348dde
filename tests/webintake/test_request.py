"""Asking for help online (/request): what a valid request stores and sends, what every
refused one does not, the abuse checks, and the team's side (queue, case page, assign)."""

import re
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from caseflow.cases.models import Activity, Case, CaseStatus, LegalBasis, Person, ReferralChannel
from caseflow.centres.notices import current_notice, publish_notice
from caseflow.core.audit import AuditEvent
from caseflow.extensions import db
from caseflow.mail.models import OutboxMessage
from caseflow.privacy.erasure import erase_case
from caseflow.privacy.export import collect
from caseflow.webintake import services
from tests.conftest import db_digest, reload

FRENCH = {"Accept-Language": "fr-BE,fr;q=0.9"}
QUESTION = "Nous cherchons une école pour notre fille Qx7question."


def request_data(**overrides) -> dict:
    """A complete request: Amélie Dubois (French), with her daughter."""
    data = {
        "started": services.start_token(time.time() - 10),
        "website": "",
        "persons-0-first_name": "Amélie",
        "persons-0-last_name": "Dubois",
        "persons-0-household_role": "main_applicant",
        "persons-0-date_of_birth": "1988-04-02",
        "persons-0-nationality": "FR",
        "persons-1-first_name": "Léa",
        "persons-1-last_name": "Dubois",
        "persons-1-household_role": "child",
        "persons-1-date_of_birth": "2019-06-11",
        "persons-1-nationality": "FR",
        "email": "Amelie.Dubois@example.org",
        "phone": "+32 470 12 34 56",
        "arrival_date": "2026-09-01",
        "municipality": "Hasselt",
        "employer": "Qx7 Employer",
        "topics": ["registration", "school", "health_fund"],
        "question": QUESTION,
        "privacy_notice_number": "1",
        "consent": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_form_speaks_the_browsers_language_and_shows_the_notice(client, centre):
    page = client.get("/request", headers=FRENCH)
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="fr">' in body
    assert "Demander de l’aide à Expat Centre Limburg" in body
    assert "Déclaration de confidentialité de Expat Centre Limburg (version 1)" in body
    assert current_notice(centre.id).text_fr in body
    # The honeypot: hidden from people and from assistive technology, out of the tab order.
    assert 'class="cf-hp" aria-hidden="true"' in body
    assert 'name="website" tabindex="-1"' in body
    dutch = client.get("/request?lang=nl", headers=FRENCH).get_data(as_text=True)
    assert "Vraag hulp aan Expat Centre Limburg" in dutch


def test_a_request_in_french_opens_a_case_in_the_intake_queue(client, centre):
    response = client.post_form("/request/lim", request_data(), headers=FRENCH)

    assert response.status_code == 303
    assert response.location == "/request/LIM/thanks"
    thanks = client.get(response.location, headers=FRENCH).get_data(as_text=True)
    assert "Merci, nous avons reçu votre demande" in thanks
    assert "Amélie" not in thanks and "example.org" not in thanks

    case = db.session.scalars(select(Case)).one()
    assert case.centre_id == centre.id
    assert case.status == CaseStatus.INTAKE and case.advisor_id is None
    assert case.referral_channel == ReferralChannel.WEBSITE
    assert case.legal_basis == LegalBasis.CONSENT
    assert case.privacy_notice_version_id == current_notice(centre.id).id
    assert case.consent_recorded_by_id is None
    assert case.client_language.value == "fr"
    assert case.contact_email == "amelie.dubois@example.org"
    assert case.contact_phone == "+32 470 12 34 56"
    assert case.arrival_date == date(2026, 9, 1)
    assert case.municipality == "Hasselt" and case.employer == "Qx7 Employer"
    assert case.household_name == "Dubois family"  # the staff's label, in English
    assert case.help_topics == ["registration", "health_fund", "school"]
    assert case.client_question == QUESTION
    persons = db.session.scalars(select(Person).order_by(Person.position)).all()
    assert [(p.first_name, p.household_role.value, p.nationality) for p in persons] == [
        ("Amélie", "main_applicant", "FR"),
        ("Léa", "child", "FR"),
    ]
    assert persons[0].email == "amelie.dubois@example.org"

    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.case_id == case.id and message.kind == services.EMAIL_KIND
    assert message.recipients == ["amelie.dubois@example.org"]
    assert message.subject == "Nous avons reçu votre demande d’aide – Expat Centre Limburg"
    assert message.text_body.startswith("Bonjour Amélie,")
    assert "La suite" in message.text_body and "premier entretien" in message.html_body
    # No personal detail but the first name.
    for detail in ("Dubois", "Léa", "Hasselt", "Qx7", "470", "example.org"):
        assert detail not in message.text_body and detail not in message.html_body

    created = db.session.scalars(select(Activity).where(Activity.case_id == case.id)).one()
    assert created.actor_id is None and created.details["source"] == "website"
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "case.create")).one()
    assert (event.user_id, event.case_id, event.details) == (None, case.id, {"via": "website"})


def test_without_a_code_the_default_centre_receives_it(client, centre, other_centre):
    assert client.post_form("/request", request_data()).status_code == 303
    assert client.post_form("/request/Ant", request_data()).status_code == 303
    centres = db.session.scalars(select(Case.centre_id).order_by(Case.id)).all()
    assert centres == [centre.id, other_centre.id]


def test_an_unknown_centre_gets_a_friendly_page_and_stores_nothing(client, centre):
    before = db_digest()
    page = client.get("/request/NOPE", headers=FRENCH)
    assert page.status_code == 404
    assert "Page introuvable" in page.get_data(as_text=True)
    assert client.post_form("/request/NOPE", request_data()).status_code == 404
    assert client.get("/request/NOPE/thanks").status_code == 404
    assert db_digest() == before


BAD = {
    "missing consent": ({"consent": None}, "Veuillez accepter la déclaration"),
    "bad email": ({"email": "amelie@"}, "Indiquez une adresse e-mail"),
    "future birth date": (
        {"persons-1-date_of_birth": (date.today() + timedelta(days=3)).isoformat()},
        "Une date de naissance ne peut pas être dans le futur.",
    ),
    "no nationality": ({"persons-1-nationality": ""}, "Choisissez une nationalité."),
    "line break in a name": ({"persons-0-last_name": "Dubois\r\nBcc: x@example.org"}, ""),
    "too many rows": (
        {
            f"persons-{i}-{name}": value
            for i in range(2, 13)
            for name, value in (
                ("first_name", f"Child{i}"),
                ("last_name", "Dubois"),
                ("household_role", "child"),
                ("nationality", "FR"),
            )
        },
        "Une demande compte au maximum 12 personnes.",
    ),
    "a second main applicant": ({"persons-1-household_role": "main_applicant"}, ""),
    "honeypot filled": (
        {"website": "http://spam.example"},
        "Nous n’avons pas pu accepter ce formulaire.",
    ),
    "too fast": ({"started": None}, "C’était très rapide."),
    "tampered timestamp": ({"started": None}, "Nous n’avons pas pu vérifier ce formulaire."),
    "too old": ({"started": None}, "Ce formulaire est resté ouvert longtemps."),
    "no timestamp": ({"started": ""}, "Nous n’avons pas pu vérifier ce formulaire."),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_refused_request_stores_and_sends_nothing(client, centre, case):
    overrides, message = BAD[case]
    overrides = dict(overrides)
    if case == "too fast":
        overrides["started"] = services.start_token(time.time() - 1)
    elif case == "tampered timestamp":
        token = services.start_token(time.time() - 10)
        value, stamp, signature = token.split(".")
        overrides["started"] = f"{value}.{stamp[:-1]}{'A' if stamp[-1] != 'A' else 'B'}.{signature}"
    elif case == "too old":
        overrides["started"] = services.start_token(time.time() - 2 * 3600 - 5)
    before = db_digest()

    response = client.post_form("/request", request_data(**overrides), headers=FRENCH)

    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body
    assert "Amélie" in body and QUESTION.split()[0] in body  # what was typed is kept
    assert "spam.example" not in body
    assert db_digest() == before
    assert count(Case) == count(OutboxMessage) == 0


def test_a_renewed_timestamp_lets_the_person_send_again_at_once(client, centre):
    old = services.start_token(time.time() - 3 * 3600)
    page = client.post_form("/request", request_data(started=old)).get_data(as_text=True)
    renewed = page.split('name="started" type="hidden" value="')[1].split('"')[0]
    assert renewed != old
    response = client.post_form("/request", request_data(started=renewed))
    assert response.status_code == 303 and count(Case) == 1


def test_a_notice_published_meanwhile_is_shown_before_anything_is_stored(client, centre, make_user):
    publish_notice(
        centre, make_user("admin"), text_en="New notice", text_nl="Nieuw", text_fr="Nouveau"
    )
    db.session.commit()
    before = db_digest()
    response = client.post_form("/request", request_data(), headers=FRENCH)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "La déclaration de confidentialité a changé" in body and "Nouveau" in body
    assert db_digest() == before


def test_adding_a_person_without_javascript(client, centre):
    data = request_data(add_person="1")
    data = {k: v for k, v in data.items() if not k.startswith("persons-1-")}
    before = db_digest()
    response = client.post_form("/request", data, headers=FRENCH)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="person-2"' in body and 'name="persons-1-first_name"' in body
    assert re.search(r'<input [^>]*name="persons-1-last_name" [^>]*value="Dubois"', body)
    assert db_digest() == before


def test_rate_limit_per_address(client, centre, app, monkeypatch):
    monkeypatch.setitem(app.config, "WEB_REQUESTS_PER_ADDRESS", "2 per hour")
    # A form sent back for a correction does not count.
    for _attempt in range(3):
        assert client.post_form("/request", request_data(consent=None)).status_code == 400
    assert client.post_form("/request", request_data()).status_code == 303
    assert client.post_form("/request", request_data(website="x")).status_code == 400
    before = db_digest()
    refused = client.post_form("/request", request_data(), headers=FRENCH)
    assert refused.status_code == 429
    assert "Trop de demandes" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    assert db_digest() == before and count(Case) == 1
    # Another address is not affected.
    other = client.post_form("/request", request_data(), environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 303


def test_the_lead_sees_the_request_in_the_queue_and_assigns_it(
    client, client_for, centre, make_user
):
    advisor, lead = make_user("advisor"), make_user("team_lead", locale="nl")
    assert client.post_form("/request", request_data(), headers=FRENCH).status_code == 303
    case = db.session.scalars(select(Case)).one()

    browser = client_for(lead)
    queue = browser.get("/team/intake").get_data(as_text=True)
    assert "Dubois family" in queue and "Online aanvraag" in queue
    assert "Inschrijving bij de gemeente" in queue and QUESTION in queue

    page = browser.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "vroeg hulp via de website" in page and "De cliënt" in page
    assert "online aanvaard door de cliënt" in page
    assert QUESTION in page and "School" in page

    response = browser.post_form(
        f"/team/intake/{case.id}/assign", {"advisor_id": str(advisor.id), "version": case.version}
    )
    assert response.status_code == 302
    case = reload(Case, case.id)
    assert case.advisor_id == advisor.id and case.status == CaseStatus.OPEN


def test_topics_and_question_are_exported_and_erased(client, centre, make_user):
    assert client.post_form("/request", request_data()).status_code == 303
    case = db.session.scalars(select(Case)).one()
    data = collect(case.id)
    assert data["case"]["help_topics"] == ["registration", "health_fund", "school"]
    assert data["case"]["client_question"] == QUESTION
    erase_case(case, reason="Asked by the client", actor=make_user("team_lead"))
    db.session.commit()
    case = reload(Case, case.id)
    assert case.help_topics is None and case.client_question is None


def test_staff_see_the_form_too(client_for, make_user):
    page = client_for(make_user("advisor")).get("/request?lang=en")
    assert page.status_code == 200 and "Send my request" in page.get_data(as_text=True)


def test_a_body_over_the_size_limit_gets_a_friendly_page_and_stores_nothing(client, centre):
    before = db_digest()
    response = client.post_form(
        "/request", request_data(question="x" * (3 * 1024 * 1024)), headers=FRENCH
    )
    assert response.status_code == 413
    assert "C’est trop à envoyer en une fois" in response.get_data(as_text=True)
    assert db_digest() == before
