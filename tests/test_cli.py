"""The command-line interface: creating users and loading the demo caseload."""

from sqlalchemy import func, select

from caseflow.auth.models import Role, User
from caseflow.cases.models import Case, CaseStatus, Person
from caseflow.centres.models import Centre
from caseflow.extensions import db
from caseflow.followups.models import FollowUp
from caseflow.notes.models import Note


def _count(model, *where):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_users_create_reads_the_password_from_stdin_and_joins_the_default_centre(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "New.Advisor@Example.org",
            "--name",
            "Nora New",
            "--role",
            "advisor",
            "--password-stdin",
        ],
        input="amber-meadow-kettle-77\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new.advisor@example.org"))
    assert user.full_name == "Nora New" and user.role == Role.ADVISOR
    assert user.centre.name == app.config["DEFAULT_CENTRE_NAME"]
    assert user.password_hash.startswith("$argon2id$")


def test_users_create_makes_a_named_centre_when_needed(app):
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "lead@antwerp.example.org",
            "--name",
            "Lena Lead",
            "--role",
            "team_lead",
            "--centre",
            "Expat Centre Antwerpen",
            "--password-stdin",
        ],
        input="amber-meadow-kettle-77\n",
    )
    assert result.exit_code == 0, result.output
    centre = db.session.scalar(select(Centre).where(Centre.name == "Expat Centre Antwerpen"))
    assert centre is not None and centre.code
    assert _count(User, User.centre_id == centre.id) == 1


def test_users_create_refuses_a_weak_password_and_a_taken_email(app, make_user):
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=[
            "users",
            "create",
            "a@example.org",
            "--name",
            "A",
            "--role",
            "advisor",
            "--password-stdin",
        ],
        input="password1234567\n",
    )
    assert weak.exit_code != 0 and "guess" in weak.output
    existing = make_user("advisor", email="taken@example.org")
    taken = runner.invoke(
        args=[
            "users",
            "create",
            "TAKEN@example.org",
            "--name",
            "B",
            "--role",
            "advisor",
            "--password-stdin",
        ],
        input="amber-meadow-kettle-77\n",
    )
    assert taken.exit_code != 0 and "already exists" in taken.output
    assert _count(User) == 1 and existing.id


def test_seed_demo_loads_a_realistic_caseload_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "admin@example.org" in first.output
    counts = (_count(Case), _count(Person), _count(User), _count(Note), _count(FollowUp))
    assert counts[0] == 60
    assert 120 <= counts[1] <= 200
    assert _count(User, User.role == Role.ADVISOR) == 4
    assert _count(User, User.role == Role.TEAM_LEAD) == 1
    assert _count(User, User.role == Role.ADMIN) == 1
    assert counts[3] > 30 and counts[4] > 20
    assert _count(Case, Case.advisor_id.is_(None)) > 0  # an intake queue to work on
    assert _count(Case, Case.status == CaseStatus.CLOSED) > 0
    nationalities = db.session.scalar(select(func.count(func.distinct(Person.nationality))))
    assert nationalities >= 10

    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0
    assert (_count(Case), _count(Person), _count(User), _count(Note), _count(FollowUp)) == counts


def test_seed_demo_if_empty_leaves_a_used_database_alone(app, make_user, make_case):
    make_case(make_user("advisor"))
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert _count(Case) == 1
