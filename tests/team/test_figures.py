"""The team overview from the figures the worker refreshes (caseflow/team/figures.py):
the same numbers as counting live, shown with their time while fresh, live when stale
or missing."""

from datetime import timedelta

from sqlalchemy import delete, select, update

from caseflow.auth.models import User
from caseflow.core.i18n import format_clock
from caseflow.core.time import utcnow
from caseflow.extensions import db
from caseflow.team.figures import FIGURES, refresh_team_figures, stored_overview
from caseflow.team.models import TeamFigure
from caseflow.team.queries import team_overview
from tests.team import test_overview
from tests.team.helpers import team_rows

# The overview tests' team (late work of every kind) and another centre, as fixtures.
team = test_overview.team
elsewhere = test_overview.elsewhere


def _figures(loads):
    return sorted((load.user.id, *(getattr(load, name) for name in FIGURES)) for load in loads)


def test_the_refresh_counts_what_the_live_overview_counts(app, team, elsewhere, centre):
    live = _figures(team_overview(centre.id))
    # The team has an open referral (Anna's busy case): its count is compared too.
    loads = {load.user.id: load for load in team_overview(centre.id)}
    assert loads[team.anna.id].open_referrals == 1
    assert refresh_team_figures() > 0
    db.session.commit()
    loads, computed_at = stored_overview(centre.id)
    assert _figures(loads) == live
    assert utcnow() - computed_at < timedelta(minutes=1)
    # Every centre is counted, each with only its own staff.
    other = elsewhere[0].centre_id
    assert _figures(stored_overview(other)[0]) == _figures(team_overview(other))
    # A second refresh replaces the rows rather than adding to them.
    rows = db.session.scalar(select(db.func.count()).select_from(TeamFigure))
    refresh_team_figures()
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(TeamFigure)) == rows


def test_the_page_shows_fresh_figures_with_their_time(client_for, team):
    client = client_for(team.lead)
    live_rows = team_rows(client.get("/team"))
    assert "Figures as of" not in client.get("/team").get_data(as_text=True)
    refresh_team_figures(team.lead.centre_id)
    db.session.commit()
    computed_at = db.session.scalar(select(db.func.min(TeamFigure.computed_at)))
    response = client.get("/team")
    body = response.get_data(as_text=True)
    with client.application.test_request_context():
        shown = format_clock(computed_at)
    assert f"Figures as of {shown}" in body
    assert team_rows(response) == live_rows
    # The page reads the stored figures (not a live count): a changed row shows.
    db.session.execute(
        update(TeamFigure).where(TeamFigure.user_id == team.anna.id).values(open_cases=99)
    )
    db.session.commit()
    assert team_rows(client.get("/team"))["Anna Advisor"]["open"][0] == "99"


def test_stale_figures_are_counted_live(app, client_for, team):
    client = client_for(team.lead)
    live_rows = team_rows(client.get("/team"))
    refresh_team_figures(team.lead.centre_id)
    db.session.execute(update(TeamFigure).values(open_cases=99))
    max_age = app.config["TEAM_FIGURES_MAX_AGE_MINUTES"]
    db.session.execute(
        update(TeamFigure).values(computed_at=utcnow() - timedelta(minutes=max_age + 1))
    )
    db.session.commit()
    response = client.get("/team")
    assert "Figures as of" not in response.get_data(as_text=True)
    assert team_rows(response) == live_rows
    assert stored_overview(team.lead.centre_id) is None


def test_a_shorter_max_age_makes_figures_stale_sooner(app, team, monkeypatch):
    refresh_team_figures(team.lead.centre_id)
    db.session.execute(update(TeamFigure).values(computed_at=utcnow() - timedelta(minutes=3)))
    db.session.commit()
    assert stored_overview(team.lead.centre_id) is not None
    monkeypatch.setitem(app.config, "TEAM_FIGURES_MAX_AGE_MINUTES", 2)
    assert stored_overview(team.lead.centre_id) is None


def test_the_cli_refreshes_every_centre(app, team, elsewhere):
    result = app.test_cli_runner().invoke(args=["team-figures"])
    assert result.exit_code == 0, result.output
    assert "Counted the team figures" in result.output
    centres = set(db.session.scalars(select(TeamFigure.centre_id)))
    assert centres == {team.lead.centre_id, elsewhere[0].centre_id}


def test_the_figures_hold_ids_and_counts_and_go_with_their_user(make_user, centre):
    newcomer = make_user("advisor", name="Nina Newcomer")
    db.session.commit()
    refresh_team_figures(centre.id)
    db.session.commit()
    assert (
        db.session.scalar(select(TeamFigure.open_cases).where(TeamFigure.user_id == newcomer.id))
        == 0
    )
    columns = set(TeamFigure.__table__.columns.keys())
    assert columns == {"id", "centre_id", "user_id", "computed_at", *FIGURES}
    db.session.execute(delete(User).where(User.id == newcomer.id))
    db.session.commit()
    assert (
        db.session.scalars(select(TeamFigure).where(TeamFigure.user_id == newcomer.id)).all() == []
    )


def test_with_fresh_figures_the_page_runs_a_few_queries(client_for, team):
    from tests.cases.test_query_counts import count_queries

    client = client_for(team.lead)
    refresh_team_figures(team.lead.centre_id)
    db.session.commit()
    with count_queries() as statements:
        assert client.get("/team").status_code == 200
    # The session user, the stored figures with their staff, the tabs' counts (one query).
    assert len(statements) <= 3, statements


def test_each_row_links_as_url_for_writes_them(app, client_for, team):
    from flask import url_for

    rows = team_rows(client_for(team.lead).get("/team"))
    anna = rows["Anna Advisor"]
    with app.test_request_context():
        expected = {
            "open": url_for("cases.index", advisor=team.anna.id),
            "waiting": url_for(
                "cases.index", advisor=team.anna.id, status="waiting_on_client", waiting="long"
            ),
            "steps": url_for("cases.index", advisor=team.anna.id, overdue=1),
            "followups": url_for("cases.index", advisor=team.anna.id, followups="overdue"),
            "oldest": url_for("cases.index", advisor=team.anna.id, sort="opened"),
        }
    assert {column: link for column, (_n, link) in anna.items()} == expected


def _sqlite_path(app) -> str | None:
    url = db.engine.url
    return url.database if url.get_backend_name() == "sqlite" else None


def test_the_worker_counts_without_the_write_lock_and_stores_the_live_figures(
    app, team, elsewhere, centre, monkeypatch
):
    """The worker's task (and ``flask team-figures``): each centre counted while another
    connection can still write (no BEGIN IMMEDIATE around the counts), then stored."""
    import sqlite3

    from caseflow import worker
    from caseflow.team import figures

    live = {cid: _figures(team_overview(cid)) for cid in (centre.id, elsewhere[0].centre_id)}
    db.session.commit()
    path = _sqlite_path(app)
    # The worker's setting: transactions outside requests take the write lock up front.
    monkeypatch.setitem(app.config, "SQLITE_IMMEDIATE_OUTSIDE_REQUESTS", True)
    probes = []

    def counting(centre_id):
        loads = team_overview(centre_id)
        if path is not None:  # can another connection take the write lock meanwhile?
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                probes.append("free")
            except sqlite3.OperationalError as error:
                probes.append(str(error))
            finally:
                other.close()
        else:
            probes.append("free")
        return loads

    monkeypatch.setattr(figures, "team_overview", counting)
    stored = worker.team_figures()
    assert not db.session().in_transaction()  # everything committed, nothing left open
    assert probes and probes == ["free"] * len(probes)
    assert len(probes) >= 2  # every centre
    db.session.rollback()
    assert stored == db.session.scalar(select(db.func.count()).select_from(TeamFigure))
    for cid, figures_live in live.items():
        loads, _computed_at = stored_overview(cid)
        assert _figures(loads) == figures_live


def test_flask_team_figures_stores_the_live_figures(app, team, centre):
    live = _figures(team_overview(centre.id))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["team-figures"])
    assert result.exit_code == 0, result.output
    assert "Counted the team figures" in result.output
    db.session.rollback()
    loads, _computed_at = stored_overview(centre.id)
    assert _figures(loads) == live
