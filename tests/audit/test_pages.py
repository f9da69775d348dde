"""The case access log and a user's activity: who, what, when, filters, pages."""

import re
from datetime import UTC, timedelta

from sqlalchemy import insert

from caseflow.core.audit import AuditEvent
from caseflow.core.time import BRUSSELS, utcnow
from caseflow.extensions import db
from tests.audit.conftest import CANARY_HOUSEHOLD, audit_rows


def _rows_shown(body: str) -> int:
    tbody = re.search(r"<tbody>(.*?)</tbody>", body, re.S)
    return tbody.group(1).count("<tr>") if tbody else 0


def _seed(case_id, user, n, *, action="case.view", outcome="ok", days_ago=0):
    when = utcnow() - timedelta(days=days_ago)
    db.session.execute(
        insert(AuditEvent),
        [
            {
                "occurred_at": when - timedelta(seconds=i),
                "user_id": user.id,
                "role": user.role.value,
                "centre_id": user.centre_id,
                "action": action,
                "object_type": "case",
                "object_id": case_id,
                "case_id": case_id,
                "outcome": outcome,
                "details": {},
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def test_the_access_log_shows_who_looked_and_what_they_did(world, client_for):
    advisor = client_for(world.users.advisor_a)
    advisor.get(f"/cases/{world.case.id}")
    advisor.get(f"/cases/{world.case.id}/checklist/{world.item.id}")
    client_for(world.users.advisor_b).get(f"/cases/{world.case.id}")  # refused (404)

    page = client_for(world.users.lead).get(f"/cases/{world.case.id}/access-log")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert world.users.advisor_a.full_name in body
    assert world.users.advisor_b.full_name in body
    assert "Opened the case" in body and "Opened a checklist step" in body
    assert "Refused" in body
    assert "Advisor" in body  # the role, as a label
    assert "Sent an email" in body  # the world's email, queued outside a request
    assert "case.view" not in body  # labels, not codes
    assert _rows_shown(body) == 4  # the log's own view is written after the page


def test_the_log_is_newest_first_and_paginated(world, client_for):
    _seed(world.case.id, world.users.advisor_a, 120, days_ago=1)
    _seed(world.case.id, world.users.lead, 1, action="case.pdf")
    lead = client_for(world.users.lead)
    body = lead.get(f"/cases/{world.case.id}/access-log").get_data(as_text=True)
    assert "122 events" in body  # and the world's email
    assert _rows_shown(body) == 50
    assert body.index("Downloaded the case summary (PDF)") < body.index("Opened the case")
    last = lead.get(f"/cases/{world.case.id}/access-log?page=3").get_data(as_text=True)
    assert _rows_shown(last) == 22 + 1  # and the first view of the log itself
    assert f'href="/cases/{world.case.id}/access-log?page=2"' in last


def test_filters_by_person_kind_outcome_and_dates(world, client_for):
    _seed(world.case.id, world.users.advisor_a, 3, days_ago=10)
    _seed(world.case.id, world.users.advisor_b, 2, outcome="denied", days_ago=2)
    _seed(world.case.id, world.users.lead, 4, action="case.update", days_ago=1)
    lead = client_for(world.users.lead)
    url = f"/cases/{world.case.id}/access-log"

    def count(query: str) -> int:
        response = lead.get(f"{url}?{query}")
        assert response.status_code == 200, query
        return int(re.search(r"(\d+) events?", response.get_data(as_text=True)).group(1))

    assert count(f"user={world.users.advisor_a.id}") == 3
    assert count("kind=change") == 4
    assert count("kind=view") == 5
    assert count("outcome=denied") == 2
    # The filter's days are Brussels days (near midnight UTC they differ).
    seeded_at = (utcnow() - timedelta(days=10)).replace(tzinfo=UTC)
    day = seeded_at.astimezone(BRUSSELS).date().isoformat()
    assert count(f"start={day}&end={day}") == 3
    assert count(f"user={world.users.advisor_b.id}&outcome=ok") == 0


def test_a_bad_filter_is_refused_with_a_message(world, client_for):
    response = client_for(world.users.lead).get(
        f"/cases/{world.case.id}/access-log?start=2030-01-02&end=2030-01-01"
    )
    assert response.status_code == 400
    assert "The end date is before the start date." in response.get_data(as_text=True)


def test_empty_state(world, client_for):
    response = client_for(world.users.lead).get(f"/cases/{world.case.id}/access-log?outcome=failed")
    assert "Nothing recorded that matches." in response.get_data(as_text=True)


def test_thousands_of_rows(world, client_for):
    _seed(world.case.id, world.users.advisor_a, 5000, days_ago=3)
    response = client_for(world.users.lead).get(f"/cases/{world.case.id}/access-log?page=60")
    assert response.status_code == 200
    assert _rows_shown(response.get_data(as_text=True)) == 50


def test_only_leads_and_admins_see_the_link(world, client_for):
    link = f"/cases/{world.case.id}/access-log"
    assert link in client_for(world.users.lead).get(f"/cases/{world.case.id}").get_data(
        as_text=True
    )
    assert link not in client_for(world.users.advisor_a).get(f"/cases/{world.case.id}").get_data(
        as_text=True
    )


def test_advisors_and_other_centres_get_no_log(world, client_for):
    url = f"/cases/{world.case.id}/access-log"
    assert client_for(world.users.advisor_a).get(url).status_code == 403
    assert client_for(world.users.advisor_b).get(url).status_code == 404
    other = client_for(world.users.other).get(url)
    assert other.status_code == 404
    assert CANARY_HOUSEHOLD not in other.get_data(as_text=True)


def test_labels_are_translated(world, client_for):
    lead = client_for(world.users.lead)
    lead.get(f"/cases/{world.case.id}")
    lead.post_form("/language", {"locale": "nl"})
    body = lead.get(f"/cases/{world.case.id}/access-log").get_data(as_text=True)
    assert "Opende het dossier" in body


def test_user_activity(world, client_for):
    client_for(world.users.advisor_a).get(f"/cases/{world.case.id}")
    _seed(world.case.id, world.users.lead, 2)  # someone else's
    admin = client_for(world.users.admin)
    page = admin.get(f"/admin/users/{world.users.advisor_a.id}/activity")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Opened the case" in body
    assert world.case.reference in body  # the case, linked
    assert _rows_shown(body) == 2  # the login, then the case
    assert "kind" in body and 'name="user"' not in body  # no person filter here
    edit_page = admin.get(f"/admin/users/{world.users.advisor_a.id}").get_data(as_text=True)
    assert f"/admin/users/{world.users.advisor_a.id}/activity" in edit_page


def test_user_activity_is_for_admins_of_the_same_centre(world, client_for):
    url = f"/admin/users/{world.users.advisor_a.id}/activity"
    assert client_for(world.users.lead).get(url).status_code == 403
    assert client_for(world.users.advisor_b).get(url).status_code == 403
    assert client_for(world.users.other_admin).get(url).status_code == 404


def test_viewing_the_log_is_itself_audited(world, client_for):
    response = client_for(world.users.lead).get(f"/cases/{world.case.id}/access-log")
    assert [r.action for r in audit_rows(request_id=response.headers["X-Request-Id"])] == [
        "case.access_log"
    ]
