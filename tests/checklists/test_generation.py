"""Items generated per person from the seeded catalogue; regeneration never loses work."""

from datetime import date

import pytest
from sqlalchemy import func, select

from caseflow.cases import services as cases
from caseflow.cases.models import Activity, ActivityKind, Case, CaseStatus, ClosingReason, Person
from caseflow.checklists import rules
from caseflow.checklists import services as checklists
from caseflow.checklists.models import ChecklistEvent, ChecklistItem, ItemState, TemplateItem
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.errors import DomainError
from caseflow.extensions import db
from tests.cases.test_query_counts import count_queries
from tests.conftest import person, reload

ARRIVAL = date(2026, 9, 7)


@pytest.fixture
def catalogue(centre):
    seed_catalogue(centre)
    db.session.commit()


def _steps(case) -> dict[tuple[str | None, str], ChecklistItem]:
    """(person first name or None, template key) -> item."""
    db.session.expire_all()
    items = db.session.scalars(select(ChecklistItem).where(ChecklistItem.case_id == case.id))
    result = {}
    for item in items:
        owner = db.session.get(Person, item.person_id).first_name if item.person_id else None
        result[(owner, db.session.get(TemplateItem, item.template_item_id).key)] = item
    return result


def _family_of_five():
    return [
        person("Ravi", "Iyer", "main_applicant", nationality="IN", date_of_birth=date(1988, 4, 2)),
        person("Ana", "Iyer", "partner", nationality="PT", date_of_birth=date(1990, 6, 1)),
        person("Maya", "Iyer", "child", nationality="IN", date_of_birth=date(2012, 5, 5)),  # 14
        person("Dev", "Iyer", "child", nationality="IN", date_of_birth=date(2021, 2, 2)),  # 5
        person("Lila", "Iyer", "child", nationality="IN", date_of_birth=date(2025, 1, 1)),  # 1
    ]


def test_a_family_of_five_gets_the_right_steps_per_person(catalogue, make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor, arrival_date=ARRIVAL, persons=_family_of_five())
    steps = _steps(case)
    owners = set(steps)
    # Registration: third-country within 8 working days, the EU partner within 3 months.
    registration = steps[("Ravi", "municipal-registration-third-country")]
    assert registration.computed_due_date == rules.add_working_days(ARRIVAL, 8)
    assert ("Ana", "municipal-registration-eu") in owners
    assert ("Ana", "municipal-registration-third-country") not in owners
    # Civic integration is for third-country adults only.
    assert ("Ravi", "civic-integration") in owners and ("Ana", "civic-integration") not in owners
    # OKAN for 12-17 only; school for children of school age and the 5-year-old.
    assert ("Maya", "okan-reception-class") in owners
    assert ("Dev", "okan-reception-class") not in owners
    assert steps[("Dev", "school-enrolment")].computed_due_date == date(2026, 9, 7)
    assert ("Lila", "school-enrolment") not in owners  # 1 year old
    # Household steps exist once, for nobody in particular.
    assert sorted(key for owner, key in owners if owner is None) == [
        "bank-account",
        "police-address-check",
    ]
    assert ("Lila", "child-benefit-groeipakket") in owners


def test_regeneration_is_idempotent(catalogue, make_user, make_case):
    case = make_case(make_user("advisor"), arrival_date=ARRIVAL, persons=_family_of_five())
    before = {k: (i.id, i.computed_due_date) for k, i in _steps(case).items()}
    result = checklists.sync_checklist(reload(Case, case.id))
    db.session.commit()
    assert (result.added, result.removed) == (0, 0)
    assert {k: (i.id, i.computed_due_date) for k, i in _steps(case).items()} == before


def _edit(case, advisor, persons, **changes):
    data = cases.CaseData(
        household_name=case.household_name,
        case_type_id=changes.pop("case_type_id", case.case_type_id),
        arrival_date=changes.pop("arrival_date", case.arrival_date),
        persons=persons,
    )
    cases.update_case(case, advisor, data, expected_version=case.version)
    db.session.commit()


def _as_data(case):
    people = db.session.scalars(
        select(Person).where(Person.case_id == case.id).order_by(Person.position)
    ).all()
    return [
        person(
            p.first_name,
            p.last_name,
            p.household_role,
            nationality=p.nationality,
            date_of_birth=p.date_of_birth,
            second_nationality=p.second_nationality,
            id=p.id,
        )
        for p in people
    ]


def test_a_new_nationality_removes_untouched_steps_and_keeps_those_with_progress(
    catalogue, make_user, make_case
):
    advisor = make_user("advisor")
    case = make_case(advisor, arrival_date=ARRIVAL, persons=[_family_of_five()[0]])
    steps = _steps(case)
    worked = steps[("Ravi", "municipal-registration-third-country")]
    checklists.set_state(worked, advisor, ItemState.IN_PROGRESS)
    untouched_id = steps[("Ravi", "civic-integration")].id
    db.session.commit()

    people = _as_data(case)
    people[0].second_nationality = "NL"  # now also an EU citizen: EU rules apply
    _edit(reload(Case, case.id), advisor, people)

    steps = _steps(case)
    kept = steps[("Ravi", "municipal-registration-third-country")]
    assert kept.id == worked.id and kept.no_longer_applies and kept.state == ItemState.IN_PROGRESS
    assert reload(ChecklistItem, untouched_id) is None
    assert ("Ravi", "municipal-registration-eu") in steps


def test_a_later_arrival_date_moves_the_computed_due_dates(catalogue, make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor, arrival_date=ARRIVAL, persons=[_family_of_five()[0]])
    _edit(reload(Case, case.id), advisor, _as_data(case), arrival_date=date(2026, 12, 22))
    registration = _steps(case)[("Ravi", "municipal-registration-third-country")]
    assert registration.computed_due_date == date(2027, 1, 5)


def test_adding_a_person_adds_their_steps_only(catalogue, make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor, arrival_date=ARRIVAL, persons=[_family_of_five()[0]])
    before = {k: i.id for k, i in _steps(case).items()}
    _edit(reload(Case, case.id), advisor, [*_as_data(case), _family_of_five()[2]])
    after = {k: i.id for k, i in _steps(case).items()}
    assert {k: v for k, v in after.items() if k[0] != "Maya"} == before
    assert ("Maya", "school-enrolment") in after


def test_a_person_leaving_keeps_only_their_steps_with_progress(catalogue, make_user, make_case):
    advisor = make_user("advisor")
    family = _family_of_five()[:3]
    case = make_case(advisor, arrival_date=ARRIVAL, persons=family)
    steps = _steps(case)
    done = steps[("Maya", "school-enrolment")]
    checklists.set_state(done, advisor, ItemState.DONE)
    db.session.commit()
    remaining = [p for p in _as_data(case) if p.first_name != "Maya"]
    _edit(reload(Case, case.id), advisor, remaining)
    kept = reload(ChecklistItem, done.id)
    assert kept is not None and kept.person_id is None
    assert kept.former_person_name == "Maya Iyer" and kept.no_longer_applies
    left = db.session.scalar(
        select(func.count())
        .select_from(ChecklistItem)
        .where(ChecklistItem.case_id == case.id, ChecklistItem.former_person_name.is_not(None))
    )
    assert left == 1
    # The case page still renders, with the former member's kept step.
    checklists.sync_checklist(reload(Case, case.id))


def test_every_state_change_is_recorded_once_with_its_user(catalogue, make_user, make_case):
    advisor, lead = make_user("advisor"), make_user("team_lead")
    case = make_case(advisor, arrival_date=ARRIVAL, persons=[_family_of_five()[0]])
    item = (
        _steps(case)[("Ravi", "bank-account")]
        if ("Ravi", "bank-account") in _steps(case)
        else next(iter(_steps(case).values()))
    )
    checklists.set_state(item, advisor, ItemState.IN_PROGRESS)
    checklists.set_state(item, advisor, ItemState.IN_PROGRESS)  # no change, no record
    checklists.set_state(item, lead, ItemState.DONE)
    with pytest.raises(DomainError):
        checklists.set_state(item, lead, ItemState.NOT_APPLICABLE, reason="  ")
    db.session.commit()
    events = db.session.scalars(
        select(ChecklistEvent).where(ChecklistEvent.item_id == item.id).order_by(ChecklistEvent.id)
    ).all()
    assert [(e.actor_id, e.from_value, e.to_value) for e in events] == [
        (advisor.id, "todo", "in_progress"),
        (lead.id, "in_progress", "done"),
    ]
    assert reload(ChecklistItem, item.id).completed_at is not None


def test_closing_is_refused_while_required_steps_are_open(catalogue, make_user, make_case):
    advisor, lead = make_user("advisor"), make_user("team_lead")
    case = make_case(advisor, arrival_date=ARRIVAL, persons=[_family_of_five()[0]])
    with pytest.raises(cases.ClosingBlockedError) as refused:
        cases.change_status(case, advisor, CaseStatus.CLOSED, reason=ClosingReason.COMPLETED)
    titles = {item.template_item.title_en for item in refused.value.items}
    assert "Register at the town hall" in titles
    # An advisor cannot override; a team lead can, with a reason that is recorded.
    with pytest.raises(cases.ClosingBlockedError):
        cases.change_status(
            case,
            advisor,
            CaseStatus.CLOSED,
            reason=ClosingReason.COMPLETED,
            close_anyway_reason="client left",
        )
    cases.change_status(
        case,
        lead,
        CaseStatus.CLOSED,
        reason=ClosingReason.MOVED_AWAY,
        close_anyway_reason="Family moved to the Netherlands",
    )
    db.session.commit()
    status = db.session.scalars(
        select(Activity).where(Activity.case_id == case.id, Activity.kind == ActivityKind.STATUS)
    ).one()
    assert status.details["closed_anyway"] == "Family moved to the Netherlands"


def test_closing_works_once_required_steps_are_done_or_not_applicable(
    catalogue, make_user, make_case
):
    advisor = make_user("advisor")
    case = make_case(advisor, arrival_date=ARRIVAL, persons=[_family_of_five()[0]])
    for n, item in enumerate(checklists.open_required_items(case)):
        if n % 2:
            checklists.set_state(item, advisor, ItemState.DONE)
        else:
            checklists.set_state(item, advisor, ItemState.NOT_APPLICABLE, reason="Done abroad")
    cases.change_status(case, advisor, CaseStatus.CLOSED, reason=ClosingReason.COMPLETED)
    db.session.commit()
    assert reload(Case, case.id).status == CaseStatus.CLOSED


def test_closing_page_names_the_open_steps(catalogue, client_for, make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor, arrival_date=ARRIVAL, persons=[_family_of_five()[0]])
    response = client_for(advisor).post_form(
        f"/cases/{case.id}/status",
        {"status": "closed", "closing_reason": "completed", "version": str(case.version)},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "required steps are still open" in body and "Register at the town hall" in body
    assert reload(Case, case.id).status == CaseStatus.OPEN


def test_case_detail_queries_stay_fixed_for_5_persons_and_80_items(
    catalogue, client_for, make_user, make_case
):
    advisor = make_user("advisor")
    client = client_for(advisor)
    small = make_case(advisor, arrival_date=ARRIVAL, persons=[_family_of_five()[0]])
    big = make_case(advisor, arrival_date=ARRIVAL, persons=_family_of_five())
    extra = db.session.scalars(select(TemplateItem).where(TemplateItem.scope == "person")).all()
    for n in range(80 - len(_steps(big))):  # top up to 80 items with kept, former steps
        db.session.add(
            ChecklistItem(
                case_id=big.id,
                template_item_id=extra[n % len(extra)].id,
                former_person_name=f"Former {n}",
                state=ItemState.DONE,
                no_longer_applies=True,
            )
        )
    db.session.commit()
    assert (
        len(_steps(big))
        < 80
        <= db.session.scalar(
            select(func.count()).select_from(ChecklistItem).where(ChecklistItem.case_id == big.id)
        )
    )
    small_url, big_url = f"/cases/{small.id}", f"/cases/{big.id}"
    with count_queries() as few:
        assert client.get(small_url).status_code == 200
    with count_queries() as many:
        assert client.get(big_url).status_code == 200
    assert len(few) == len(many) <= 13  # 12 to show it, 1 for its case.view audit row


def test_lists_show_progress_and_filter_overdue(catalogue, client_for, make_user, make_case):
    advisor = make_user("advisor")
    late = make_case(
        advisor,
        household_name="Late family",
        arrival_date=date(2026, 1, 5),
        persons=[_family_of_five()[0]],
    )
    fresh = make_case(
        advisor,
        household_name="Fresh family",
        arrival_date=date(2030, 1, 5),
        persons=[_family_of_five()[0]],
    )
    client = client_for(advisor)
    overdue_only = client.get("/cases?overdue=1").get_data(as_text=True)
    assert "Late family" in overdue_only and "Fresh family" not in overdue_only
    listing = client.get("/cases").get_data(as_text=True)
    assert "0 of" in listing and "overdue" in listing
    home = client.get("/").get_data(as_text=True)
    assert "overdue checklist steps in my cases" in home
    assert f'href="/cases/{late.id}"' in overdue_only
    assert f'href="/cases/{fresh.id}"' not in overdue_only


def test_a_closed_cases_checklist_is_frozen(catalogue, client_for, make_user, make_case):
    advisor, lead = make_user("advisor"), make_user("team_lead")
    case = make_case(advisor, arrival_date=ARRIVAL, persons=[_family_of_five()[0]])
    item = next(iter(_steps(case).values()))
    cases.change_status(
        case,
        lead,
        CaseStatus.CLOSED,
        reason=ClosingReason.MOVED_AWAY,
        close_anyway_reason="Left Belgium",
    )
    db.session.commit()
    with pytest.raises(DomainError):
        checklists.set_state(reload(ChecklistItem, item.id), advisor, ItemState.DONE)
    db.session.rollback()
    http = client_for(lead)
    response = http.post_form(
        f"/cases/{case.id}/checklist/{item.id}/done", {"version": str(item.version)}
    )
    assert response.status_code == 302
    assert reload(ChecklistItem, item.id).state == ItemState.TODO
    assert "Mark done" not in http.get(f"/cases/{case.id}").get_data(as_text=True)


def test_seeding_never_widens_a_step_meant_for_a_missing_case_type(centre, make_user, make_case):
    from caseflow.cases.models import CaseType

    posted = db.session.scalars(select(CaseType).where(CaseType.name_en == "Posted worker")).one()
    posted.name_en = "Detached worker"  # renamed by an admin before the catalogue is loaded
    db.session.commit()
    seed_catalogue(centre)
    db.session.commit()
    case = make_case(make_user("advisor"), arrival_date=ARRIVAL, persons=[_family_of_five()[0]])
    keys = {key for _owner, key in _steps(case)}
    assert "limosa-declaration" not in keys and "a1-form" not in keys
