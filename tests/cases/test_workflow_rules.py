"""Workflow rules found in review: status needs the right advisor state, stale assigns,
follow-up access that ends, safe pager links, proxies."""

from datetime import date

import pytest

from caseflow import create_app
from caseflow.cases import services
from caseflow.cases.models import Case, CaseStatus
from caseflow.core.errors import DomainError
from caseflow.extensions import db
from caseflow.followups.models import FollowUpStatus
from caseflow.followups.services import add_followup, close_followup
from tests.conftest import make_test_config, person, reload


def test_an_unassigned_case_cannot_be_opened(make_user, make_case):
    lead = make_user("team_lead")
    case = make_case(None, actor=lead)
    with pytest.raises(DomainError):
        services.change_status(case, lead, CaseStatus.OPEN)
    with pytest.raises(DomainError):
        services.change_status(case, lead, CaseStatus.WAITING_ON_CLIENT)


def test_an_assigned_case_cannot_go_back_to_intake_by_status(make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor)
    with pytest.raises(DomainError):
        services.change_status(case, advisor, CaseStatus.INTAKE)
    services.assign_case(case, make_user("team_lead"), None)
    assert case.status == CaseStatus.INTAKE and case.advisor_id is None


def test_a_stale_assign_is_a_conflict(client_for, make_user, make_case):
    lead, advisor, other = make_user("team_lead"), make_user("advisor"), make_user("advisor")
    case = make_case(None, actor=lead)
    stale_version = case.version
    services.take_case(case, advisor)
    db.session.commit()
    response = client_for(lead).post_form(
        f"/cases/{case.id}/assign", {"advisor_id": str(other.id), "version": str(stale_version)}
    )
    assert response.status_code == 409
    assert reload(Case, case.id).advisor_id == advisor.id


def test_followup_access_ends_when_the_followup_is_closed(client_for, make_user, make_case):
    owner, helper = make_user("advisor"), make_user("advisor")
    case = make_case(owner)
    followup = add_followup(
        case,
        owner,
        title="Translate",
        details=None,
        due_date=date(2030, 1, 1),
        assignee_id=helper.id,
    )
    db.session.commit()
    client = client_for(helper)
    assert client.get(f"/cases/{case.id}").status_code == 200
    response = client.post_form(
        f"/cases/{case.id}/followups/{followup.id}/done", {"version": str(followup.version)}
    )
    # Done: back to their follow-up list, since the case is no longer theirs to see.
    assert response.status_code == 302 and "/followups" in response.location
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert "Translate" not in client.get("/cases?status=all").get_data(as_text=True)


def test_a_cancelled_followup_grants_nothing(client_for, make_user, make_case):
    owner, helper = make_user("advisor"), make_user("advisor")
    case = make_case(owner, persons=[person(first="Zofia")])
    followup = add_followup(
        case, owner, title="Call", details=None, due_date=date(2030, 1, 1), assignee_id=helper.id
    )
    close_followup(followup, owner, FollowUpStatus.CANCELLED)
    db.session.commit()
    assert client_for(helper).get(f"/cases/{case.id}").status_code == 404


@pytest.mark.parametrize(
    "query", ["endpoint=x", "_method=DELETE", "_external=1&_scheme=https", "_anchor=x"]
)
def test_pager_links_ignore_url_building_arguments(client_for, make_user, make_case, query):
    lead = make_user("team_lead")
    advisor = make_user("advisor")
    for n in range(30):
        make_case(advisor, household_name=f"Household {n:02d}")
    response = client_for(lead).get(f"/cases?{query}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/cases?after=' in body
    assert "https://" not in body.split("<main")[1]


def test_proxy_fix_trusts_the_configured_number_of_proxies(monkeypatch):
    app = create_app(make_test_config("sqlite://") | {"PROXY_FIX_HOPS": 1})

    @app.get("/whoami-for-test")
    def whoami():
        from flask import request

        return request.remote_addr

    from caseflow.core import web

    monkeypatch.setattr(web, "PUBLIC_ENDPOINTS", web.PUBLIC_ENDPOINTS | {"whoami"})
    response = app.test_client().get("/whoami-for-test", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.get_data(as_text=True) == "203.0.113.7"
