"""The team overview, the intake queue and bulk reassignment, as a team lead uses them."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from caseflow.auth.models import User
from caseflow.cases.models import Activity, ActivityKind, Case, CaseStatus, Person
from caseflow.checklists.models import ChecklistItem, ItemState
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from caseflow.partners.models import Referral, ReferralState
from caseflow.partners.services import create_partner, create_referral
from tests.conftest import db_digest, person, reload
from tests.team.helpers import (
    activities,
    cases_with_overdue_steps,
    close,
    followup,
    listed,
    overdue_steps,
    team_rows,
    text,
    waiting_on_client,
)

LONG_AGO = date(2024, 1, 8)  # every arrival deadline of the catalogue has passed


def third_country(first: str):
    return person(first, "Iyer", nationality="IN", date_of_birth=date(1988, 4, 2))


@dataclass
class Team:
    lead: User
    anna: User
    bert: User
    dora: User
    busy: Case  # Anna: arrived long ago, overdue steps, two overdue follow-ups
    stuck: Case  # Anna: waiting on the client for 20 days
    recent: Case  # Anna: waiting on the client for 3 days, one overdue follow-up
    done: Case  # Anna: closed, with late work that must not count
    calm: Case  # Bert: no late follow-ups, not waiting


@pytest.fixture
def team(centre, other_centre, make_user, make_case) -> Team:
    seed_catalogue(centre)
    seed_catalogue(other_centre)
    db.session.commit()
    lead = make_user("team_lead", name="Lena Lead")
    anna = make_user("advisor", name="Anna Advisor")
    bert = make_user("advisor", name="Bert Advisor")
    dora = make_user("advisor", name="Dora Departed", is_active_account=False)

    busy = make_case(
        anna, household_name="Busy family", arrival_date=LONG_AGO, persons=[third_country("Ravi")]
    )
    stuck = make_case(anna, household_name="Stuck family")
    recent = make_case(anna, household_name="Recent family")
    done = make_case(
        anna, household_name="Done family", arrival_date=LONG_AGO, persons=[third_country("Dev")]
    )
    calm = make_case(bert, household_name="Calm family")

    waiting_on_client(stuck, anna, days_ago=20)
    waiting_on_client(recent, anna, days_ago=3)
    followup(busy, anna, days_late=4, title="Ask for the lease")
    followup(busy, lead, days_late=1, assignee=bert, title="Call the employer")  # Bert's task
    followup(recent, anna, days_late=10, title="Remind about photos")
    followup(stuck, anna, days_late=-5, title="Not yet due")
    followup(calm, bert, days_late=0, title="Due today is not late")
    followup(done, anna, days_late=30, title="Late but the case is closed")
    close(done, lead)
    # Anna's busy case has an open referral; an answered one does not count.
    health_fund = create_partner(
        centre.id, {"name": "Zorgkas Test", "type": "health_fund", "email_language": "nl"}
    )
    bank = create_partner(centre.id, {"name": "Bank Test", "type": "bank", "email_language": "nl"})
    for partner in (health_fund, bank):
        create_referral(
            busy,
            anna,
            partner_id=partner.id,
            person_ids=[db.session.scalar(select(Person.id).where(Person.case_id == busy.id))],
            reason="Test referral",
            consent=False,
            details=[],
            email_client=False,
        )
    answered = db.session.scalars(select(Referral).where(Referral.partner_id == bank.id)).one()
    answered.state = ReferralState.HELPED

    # One overdue step of the busy case is done: it no longer counts.
    first_late = next(
        item
        for item in db.session.scalars(
            select(ChecklistItem).where(ChecklistItem.case_id == busy.id)
        )
        if item.is_overdue(today())
    )
    first_late.state = ItemState.DONE
    # Distinct opening days, so "oldest first" has one right answer.
    for case, days in ((busy, 40), (stuck, 30), (recent, 20), (done, 50), (calm, 5)):
        case.created_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return Team(lead, anna, bert, dora, busy, stuck, recent, done, calm)


@pytest.fixture
def elsewhere(other_centre, make_user, make_case):
    """Another centre with late work of every kind."""
    lead = make_user("team_lead", centre_=other_centre, name="Otto Other Lead")
    advisor = make_user("advisor", centre_=other_centre, name="Olga Other")
    late = make_case(
        advisor, household_name="Other late", arrival_date=LONG_AGO, persons=[third_country("O")]
    )
    waiting = make_case(advisor, household_name="Other waiting")
    waiting_on_client(waiting, advisor, days_ago=25)
    followup(late, advisor, days_late=7)
    return lead, advisor, late, waiting


def test_each_number_counts_what_was_set_up(client_for, team, elsewhere):
    rows = team_rows(client_for(team.lead).get("/team"))

    # No Dora (deactivated), no Olga (another centre), no Lena (a lead holding no work).
    assert set(rows) == {"Anna Advisor", "Bert Advisor"}
    anna = rows["Anna Advisor"]
    assert anna["open"][0] == "3"
    assert anna["waiting"][0] == "1"
    expected_steps = overdue_steps(team.busy, team.stuck, team.recent)
    assert expected_steps > 0
    assert anna["steps"][0] == str(expected_steps)
    assert anna["followups"][0] == "3"  # two on the busy case (one is Bert's), one on recent
    assert anna["oldest"][0] == "40 days"

    bert = rows["Bert Advisor"]
    assert [bert[c][0] for c in ("open", "waiting", "followups")] == ["1", "0", "0"]
    assert bert["steps"][0] == str(overdue_steps(team.calm))
    assert bert["oldest"][0] == "5 days"


def test_each_number_links_to_exactly_its_cases(client_for, team, elsewhere):
    client = client_for(team.lead)
    anna = team_rows(client.get("/team"))["Anna Advisor"]
    busy, stuck, recent = team.busy.reference, team.stuck.reference, team.recent.reference

    def follow(column):
        response = client.get(anna[column][1])
        assert response.status_code == 200
        return listed(response)

    count, refs = follow("open")
    assert count == 3 and sorted(refs) == sorted([busy, stuck, recent])
    assert follow("waiting") == (1, [stuck])
    late = cases_with_overdue_steps(team.busy, team.stuck, team.recent)
    assert busy in late
    count, refs = follow("steps")
    assert count == len(late) and set(refs) == late
    count, refs = follow("followups")
    assert count == 2 and sorted(refs) == sorted([busy, recent])
    assert follow("oldest") == (3, [busy, stuck, recent])  # oldest first


def test_bert_s_links_show_his_case_and_no_late_follow_ups(client_for, team):
    client = client_for(team.lead)
    bert = team_rows(client.get("/team"))["Bert Advisor"]
    assert listed(client.get(bert["open"][1])) == (1, [team.calm.reference])
    late = sorted(cases_with_overdue_steps(team.calm))
    assert listed(client.get(bert["steps"][1])) == (len(late), late)
    for column in ("waiting", "followups"):
        assert listed(client.get(bert[column][1])) == (0, [])


def test_another_centre_sees_only_its_own_team(client_for, team, elsewhere):
    other_lead, olga, late, waiting = elsewhere
    rows = team_rows(client_for(other_lead).get("/team"))
    assert set(rows) == {"Olga Other"}
    olga_row = rows["Olga Other"]
    assert olga_row["open"][0] == "2" and olga_row["waiting"][0] == "1"
    assert olga_row["followups"][0] == "1"
    assert olga_row["steps"][0] == str(overdue_steps(late, waiting))


def test_a_case_of_another_centre_never_counts_for_an_advisor(client_for, team, elsewhere):
    """Even a row that points at our advisor (inconsistent data) stays in its centre."""
    _, _, late, waiting = elsewhere
    for case in (late, waiting):
        case.advisor_id = team.anna.id
    db.session.commit()
    client = client_for(team.lead)
    anna = team_rows(client.get("/team"))["Anna Advisor"]
    assert anna["open"][0] == "3" and anna["waiting"][0] == "1" and anna["followups"][0] == "3"
    assert anna["steps"][0] == str(overdue_steps(team.busy, team.stuck, team.recent))
    count, refs = listed(client.get(anna["open"][1]))
    assert count == 3 and late.reference not in refs


def test_deactivated_staff_are_not_listed(client_for, team):
    body = text(client_for(team.lead).get("/team"))
    assert "Dora Departed" not in body
    assert "Anna Advisor" in body


@pytest.mark.parametrize("url", ["/team", "/team/intake", "/team/reassign", "/team/reviews"])
def test_team_pages_are_for_team_leads_and_admins(client_for, make_user, url):
    assert client_for(make_user("advisor")).get(url).status_code == 403
    assert client_for(make_user("team_lead")).get(url).status_code == 200
    assert client_for(make_user("admin")).get(url).status_code == 200


def test_team_pages_need_a_login(client_for):
    response = client_for(None).get("/team")
    assert response.status_code == 302 and "/login" in response.location


# --- Intake queue ------------------------------------------------------------------


@pytest.fixture
def queue(make_user, make_case, other_centre):
    lead = make_user("team_lead", name="Lena Lead")
    advisor = make_user("advisor", name="Anna Advisor")
    newest = make_case(None, actor=lead, household_name="Newest family")
    oldest = make_case(None, actor=lead, household_name="Oldest family")
    middle = make_case(None, actor=lead, household_name="Middle family")
    assigned = make_case(advisor, household_name="Assigned family")
    closed = close(make_case(None, actor=lead, household_name="Closed family"), lead)
    other_lead = make_user("team_lead", centre_=other_centre)
    foreign = make_case(None, actor=other_lead, household_name="Foreign family")
    for case, days in ((newest, 1), (oldest, 9), (middle, 4), (closed, 20), (foreign, 30)):
        case.created_at = utcnow() - timedelta(days=days)
    db.session.commit()
    return lead, advisor, [oldest, middle, newest], [assigned, closed, foreign]


def test_the_intake_queue_lists_unassigned_open_cases_oldest_first(client_for, queue):
    lead, _, waiting, others = queue
    body = text(client_for(lead).get("/team/intake"))
    assert "3 cases wait for an advisor, oldest first." in body
    positions = [body.index(case.reference) for case in waiting]
    assert positions == sorted(positions)
    for case in others:
        assert case.household_name not in body


def test_assigning_from_the_queue_returns_to_it(client_for, queue):
    lead, advisor, waiting, _ = queue
    oldest = waiting[0]
    client = client_for(lead)
    response = client.post_form(
        f"/cases/{oldest.id}/assign",
        {"advisor_id": str(advisor.id), "version": str(oldest.version), "back": "intake"},
    )
    assert response.status_code == 302 and response.location.endswith("/team/intake")
    case = reload(Case, oldest.id)
    assert case.advisor_id == advisor.id and case.status == CaseStatus.OPEN
    assigned = activities(case, ActivityKind.ASSIGNED)
    assert len(assigned) == 1 and assigned[0].details["to"] == "Anna Advisor"
    assert assigned[0].actor_id == lead.id
    page = text(client.get(response.location))
    assert "Advisor changed." in page
    assert "2 cases wait for an advisor" in page and oldest.reference not in page


def test_the_empty_queue_says_so(client_for, make_user):
    body = text(client_for(make_user("team_lead")).get("/team/intake"))
    assert "The intake queue is empty." in body


# --- Bulk reassign -------------------------------------------------------------------


@pytest.fixture
def leave(make_user, make_case):
    """Anna goes on leave: three open cases and a closed one; Bert takes over."""
    lead = make_user("team_lead", name="Lena Lead")
    anna = make_user("advisor", name="Anna Advisor")
    bert = make_user("advisor", name="Bert Advisor")
    carl = make_user("advisor", name="Carl Advisor")
    first = make_case(anna, household_name="First family")
    second = make_case(anna, household_name="Second family")
    third = waiting_on_client(make_case(anna, household_name="Third family"), anna, 2)
    closed = close(make_case(anna, household_name="Closed family"), lead)
    carls = make_case(carl, household_name="Carl family")
    return lead, anna, bert, carl, [first, second, third], closed, carls


def _assigned_count(case) -> int:
    return len(activities(case, ActivityKind.ASSIGNED))


def test_the_reassign_page_lists_the_open_cases_of_the_advisor(client_for, leave):
    lead, anna, _, _, open_cases, closed, carls = leave
    body = text(client_for(lead).get(f"/team/reassign?from={anna.id}"))
    assert "3 open cases" in body
    for case in open_cases:
        assert case.reference in body
    assert closed.reference not in body and carls.reference not in body


def test_moving_selected_cases(client_for, leave):
    lead, anna, bert, _, (first, second, third), closed, carls = leave
    before = {c.id: _assigned_count(c) for c in (first, second, third)}
    client = client_for(lead)
    response = client.post_form(
        "/team/reassign",
        {
            "from": str(anna.id),
            "to": str(bert.id),
            # A closed case and a case of another advisor are ignored.
            "case_ids": [str(first.id), str(third.id), str(closed.id), str(carls.id)],
        },
    )
    assert response.status_code == 302
    assert f"/team/reassign?from={anna.id}" in response.location
    assert "2 cases reassigned." in text(client.get(response.location))
    for case in (first, third):
        moved = reload(Case, case.id)
        assert moved.advisor_id == bert.id
        assert _assigned_count(moved) == before[case.id] + 1
        last = activities(moved, ActivityKind.ASSIGNED)[-1]
        assert last.details == {"from": "Anna Advisor", "to": "Bert Advisor"}
    assert reload(Case, third.id).status == CaseStatus.WAITING_ON_CLIENT  # status kept
    assert reload(Case, second.id).advisor_id == anna.id
    assert _assigned_count(second) == before[second.id]
    assert reload(Case, closed.id).advisor_id == anna.id
    assert reload(Case, carls.id).advisor_id != bert.id


def test_moving_all_cases_leaves_closed_ones(client_for, leave):
    lead, anna, bert, _, open_cases, closed, carls = leave
    closed_activities = len(activities(closed, ActivityKind.ASSIGNED))
    client = client_for(lead)
    response = client.post_form(
        "/team/reassign", {"from": str(anna.id), "to": str(bert.id), "all": "1"}
    )
    assert response.status_code == 302
    assert "3 cases reassigned." in text(client.get(response.location))
    for case in open_cases:
        moved = reload(Case, case.id)
        assert moved.advisor_id == bert.id
        # Opened for Anna (part of "created"), moved to Bert (exactly one "assigned").
        assigned = activities(moved, ActivityKind.ASSIGNED)
        assert [a.details.get("to") for a in assigned] == ["Bert Advisor"]
    assert reload(Case, closed.id).advisor_id == anna.id
    assert len(activities(closed, ActivityKind.ASSIGNED)) == closed_activities
    assert "No open cases." in text(client.get(f"/team/reassign?from={anna.id}"))


@pytest.mark.parametrize(
    ("to", "selection", "message"),
    [
        ("same", {"all": "1"}, "Choose another advisor to give the cases to."),
        ("", {"all": "1"}, "Choose another advisor to give the cases to."),
        ("foreign", {"all": "1"}, "Choose another advisor to give the cases to."),
        ("bert", {}, "Select at least one case."),
        ("bert", {"case_ids": ["999999"]}, "Select at least one case."),
    ],
)
def test_a_reassign_without_a_target_or_cases_is_refused(
    client_for, leave, make_user, other_centre, to, selection, message
):
    lead, anna, bert, *_ = leave
    targets = {
        "same": str(anna.id),
        "": "",
        "bert": str(bert.id),
        "foreign": str(make_user("advisor", centre_=other_centre).id),
    }
    client = client_for(lead)
    before = db_digest()
    response = client.post_form(
        "/team/reassign", {"from": str(anna.id), "to": targets[to], **selection}
    )
    assert response.status_code == 400
    assert message in text(response)
    assert db_digest() == before


def test_the_source_must_be_of_the_centre(client_for, leave, make_user, other_centre):
    lead, _, bert, *_ = leave
    foreign = make_user("advisor", centre_=other_centre)
    client = client_for(lead)
    before = db_digest()
    assert client.get(f"/team/reassign?from={foreign.id}").status_code == 404
    response = client.post_form(
        "/team/reassign", {"from": str(foreign.id), "to": str(bert.id), "all": "1"}
    )
    assert response.status_code == 404
    assert db_digest() == before


def test_a_departed_advisor_s_cases_can_be_handed_over(client_for, leave):
    lead, anna, bert, _, open_cases, *_ = leave
    anna.is_active_account = False
    db.session.commit()
    response = client_for(lead).post_form(
        "/team/reassign", {"from": str(anna.id), "to": str(bert.id), "all": "1"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert {reload(Case, c.id).advisor_id for c in open_cases} == {bert.id}


def test_advisors_cannot_reassign(client_for, leave):
    _, anna, bert, *_ = leave
    client = client_for(bert)
    before = db_digest()  # after the login, which stores its own time
    response = client.post_form(
        "/team/reassign", {"from": str(anna.id), "to": str(bert.id), "all": "1"}
    )
    assert response.status_code == 403
    assert db_digest() == before
    assert (
        db.session.scalar(
            select(func.count(Activity.id)).where(Activity.kind == ActivityKind.ASSIGNED)
        )
        == 0  # opening a case for an advisor records no "assigned" entry
    )


def test_a_deactivated_advisor_with_open_cases_stays_in_the_team_tools(
    client_for, make_user, make_case
):
    lead = make_user("team_lead")
    gone = make_user("advisor", name="Gone Advisor")
    make_case(gone, household_name="Left behind")
    gone.is_active_account = False
    db.session.commit()
    http = client_for(lead)
    assert "Gone Advisor" in http.get("/team").get_data(as_text=True)
    page = http.get("/team/reassign").get_data(as_text=True)
    assert "Gone Advisor (deactivated)" in page
