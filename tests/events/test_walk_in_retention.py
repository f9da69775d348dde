"""Walk-ins' names (issue 15's gaps, 2): people added by name at an event's door are not
linked to a case, so retention removes their names once the event ended longer ago than
the centre's ``retention_months``; the counts stay for the report."""

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from caseflow.core.time import utcnow
from caseflow.events.models import Event, EventStatus, EventType, WalkIn
from caseflow.extensions import db
from caseflow.privacy.retention import run_retention


def _event_with_walk_in(centre, lead, ended: datetime, name: str) -> WalkIn:
    event = Event(
        centre_id=centre.id,
        title_en="Info session",
        event_type=EventType.INFO_SESSION,
        starts_at=ended - timedelta(hours=2),
        ends_at=ended,
        place="Town hall",
        audience_languages="en",
        organiser="The centre",
        status=EventStatus.PUBLISHED,
        created_by_id=lead.id,
    )
    db.session.add(event)
    db.session.flush()
    walk_in = WalkIn(event_id=event.id, name=name, people=3, added_by_id=lead.id)
    db.session.add(walk_in)
    db.session.commit()
    return walk_in


def test_retention_removes_old_walk_ins_names_and_keeps_the_counts(centre, other_centre, make_user):
    lead = make_user("team_lead")
    centre.retention_months = 12
    other_centre.retention_months = 36
    db.session.commit()
    now = utcnow()
    old = _event_with_walk_in(centre, lead, now - relativedelta(months=13), "Old Visitor")
    recent = _event_with_walk_in(centre, lead, now - relativedelta(months=11), "Recent Visitor")
    other_lead = make_user("team_lead", centre_=other_centre)
    elsewhere = _event_with_walk_in(
        other_centre, other_lead, now - relativedelta(months=13), "Kept Elsewhere"
    )

    dry = run_retention(commit=db.session.commit, dry_run=True)
    assert dry.walk_in_names == 1
    assert db.session.scalars(select(WalkIn.name).order_by(WalkIn.id)).all() == [
        "Old Visitor",
        "Recent Visitor",
        "Kept Elsewhere",
    ]

    result = run_retention(commit=db.session.commit)

    assert result.walk_in_names == 1
    db.session.expire_all()
    names = dict(db.session.execute(select(WalkIn.id, WalkIn.name)).all())
    assert names == {old.id: "", recent.id: "Recent Visitor", elsewhere.id: "Kept Elsewhere"}
    assert db.session.scalar(select(WalkIn.people).where(WalkIn.id == old.id)) == 3
    # A second run finds nothing more.
    assert run_retention(commit=db.session.commit).walk_in_names == 0
