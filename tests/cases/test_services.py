"""Case services and the rules they keep: references, status, assignment, timeline."""

import threading
from datetime import date

import pytest
from sqlalchemy import func, select

from caseflow.cases import services
from caseflow.cases.models import Activity, ActivityKind, Case, CaseStatus, ClosingReason, Person
from caseflow.core.errors import ConflictError, DomainError
from caseflow.core.time import today
from caseflow.extensions import db
from tests.conftest import Client, login, person, reload


def _kinds(case):
    db.session.expire_all()
    return [
        a.kind
        for a in db.session.scalars(
            select(Activity).where(Activity.case_id == case.id).order_by(Activity.id)
        )
    ]


def test_references_count_up_per_centre_and_year(centre, other_centre, make_user, make_case):
    here, there = make_user("advisor"), make_user("advisor", centre_=other_centre)
    year = today().year
    refs = [make_case(here).reference, make_case(here).reference, make_case(there).reference]
    assert refs == [f"LIM-{year}-0001", f"LIM-{year}-0002", f"ANT-{year}-0001"]


def test_a_case_without_advisor_waits_in_the_intake_queue(make_user, make_case):
    lead = make_user("team_lead")
    case = make_case(None, actor=lead)
    assert case.status == CaseStatus.INTAKE and case.advisor_id is None
    assert case.consent_on == today() and case.consent_recorded_by_id == lead.id
    assert _kinds(case) == [ActivityKind.CREATED]


def test_taking_a_case_from_the_queue_opens_it_and_records_it(make_user, make_case):
    lead, advisor = make_user("team_lead"), make_user("advisor")
    case = make_case(None, actor=lead)
    services.take_case(case, advisor)
    db.session.commit()
    case = reload(Case, case.id)
    assert case.advisor_id == advisor.id and case.status == CaseStatus.OPEN
    assert _kinds(case)[-1] == ActivityKind.ASSIGNED
    with pytest.raises(DomainError):
        services.take_case(case, make_user("advisor"))


def test_assigning_an_advisor_of_another_centre_is_refused(other_centre, make_user, make_case):
    lead = make_user("team_lead")
    case = make_case(make_user("advisor"))
    stranger = make_user("advisor", centre_=other_centre)
    with pytest.raises(DomainError):
        services.assign_case(case, lead, stranger.id)


def test_closing_needs_a_reason_and_reopening_clears_it(make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor)
    with pytest.raises(DomainError):
        services.change_status(case, advisor, CaseStatus.CLOSED)
    services.change_status(case, advisor, CaseStatus.CLOSED, reason=ClosingReason.MOVED_AWAY)
    db.session.commit()
    assert case.closed_at is not None and case.closing_reason == ClosingReason.MOVED_AWAY
    services.change_status(case, advisor, CaseStatus.OPEN)
    db.session.commit()
    assert case.closed_at is None and case.closing_reason is None
    assert _kinds(case).count(ActivityKind.STATUS) == 2


def test_editing_adds_removes_and_reorders_persons_and_records_the_fields(make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor, persons=[person("Ana"), person("Bo", role="child")])
    ana, bo = sorted(
        db.session.scalars(select(Person).where(Person.case_id == case.id)),
        key=lambda p: p.position,
    )
    data = services.CaseData(
        household_name="Silva-Costa family",
        case_type_id=case.case_type_id,
        persons=[
            person("Bo", role="child", id=bo.id),
            person("Caio", role="partner", nationality="PT", date_of_birth=date(1988, 2, 29)),
        ],
    )
    services.update_case(case, advisor, data, expected_version=case.version)
    db.session.commit()
    people = db.session.scalars(
        select(Person).where(Person.case_id == case.id).order_by(Person.position)
    ).all()
    assert [p.first_name for p in people] == ["Bo", "Caio"]
    assert reload(Person, ana.id) is None
    activity = db.session.scalars(
        select(Activity).where(Activity.kind == ActivityKind.EDITED)
    ).one()
    assert activity.details["fields"] == ["household_name", "persons"]


def test_editing_from_a_stale_form_is_a_conflict(make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor)
    data = services.CaseData(
        household_name="Changed", case_type_id=case.case_type_id, persons=[person()]
    )
    with pytest.raises(ConflictError):
        services.update_case(case, advisor, data, expected_version=case.version - 1)


def test_a_person_of_another_case_cannot_be_moved_in(make_user, make_case):
    advisor = make_user("advisor")
    mine, other = make_case(advisor), make_case(advisor, household_name="Other")
    stranger = db.session.scalar(select(Person).where(Person.case_id == other.id))
    data = services.CaseData(
        household_name="Mine",
        case_type_id=mine.case_type_id,
        persons=[person("Thief", id=stranger.id)],
    )
    with pytest.raises(DomainError):
        services.update_case(mine, advisor, data, expected_version=mine.version)


def test_eu_status_comes_from_any_nationality():
    assert Person(nationality="IN", second_nationality="PT").is_eu_eea_ch
    assert Person(nationality="CH").is_eu_eea_ch
    assert not Person(nationality="IN").is_eu_eea_ch


def test_twenty_simultaneous_edits_of_one_version_save_exactly_once(app, make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor)
    version, case_id, type_id = case.version, case.id, case.case_type_id
    clients = []
    for _ in range(20):
        app.test_client_class = Client
        clients.append(login(app.test_client(), advisor))
    statuses, barrier = [], threading.Barrier(20)

    def submit(client, n):
        form = {
            "version": str(version),
            "household_name": f"Edit {n}",
            "case_type_id": str(type_id),
            "client_language": "en",
            "persons-0-first_name": "Ana",
            "persons-0-last_name": "Silva",
            "persons-0-household_role": "main_applicant",
            "persons-0-nationality": "BR",
        }
        barrier.wait()
        statuses.append(client.post_form(f"/cases/{case_id}/edit", form).status_code)

    threads = [threading.Thread(target=submit, args=(c, n)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302] + [409] * 19
    saved = reload(Case, case_id)
    assert saved.version == version + 1 and saved.household_name.startswith("Edit ")
    edits = db.session.scalar(
        select(func.count()).select_from(Activity).where(Activity.kind == ActivityKind.EDITED)
    )
    assert edits == 1
