"""Every audit action the application records has a label, a kind and an object type
label on the audit pages, so that new features cannot add codes the pages show raw."""

import ast
import pathlib

from sqlalchemy import select

import caseflow
from caseflow.audit import labels
from caseflow.core.audit import audit_spec
from caseflow.extensions import db

PACKAGE = pathlib.Path(caseflow.__file__).parent


def _audit_names(tree: ast.Module) -> tuple[set[str], set[str]]:
    """The names this module calls ``caseflow.core.audit.record``/``audited`` by, and
    the names bound to the module ``caseflow.core.audit`` itself."""
    functions, modules = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "caseflow.core.audit":
            for alias in node.names:
                if alias.name in ("record", "audited"):
                    functions.add(alias.asname or alias.name)
        if isinstance(node, ast.ImportFrom) and node.module == "caseflow.core":
            for alias in node.names:
                if alias.name == "audit":
                    modules.add(alias.asname or "audit")
    return functions, modules


def _wrappers(tree: ast.Module) -> set[str]:
    """Functions (nested ones too) that pass on an ``action`` argument
    (``_record(action, ...)``)."""
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and node.args.args
        and node.args.args[0].arg == "action"
    }


def _strings(node: ast.expr) -> list[str]:
    return [
        n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def recorded_in_source() -> dict[str, set[str]]:
    """Action -> files, and ``object_type`` values, of every audit call in caseflow/."""
    actions: dict[str, set[str]] = {}
    object_types: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        if path == PACKAGE / "core" / "audit.py":
            continue  # the machinery itself (its actions are checked below)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions, modules = _audit_names(tree)
        callees = functions | _wrappers(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name):
                hit = func.id in callees
            else:
                hit = (
                    isinstance(func, ast.Attribute)
                    and func.attr in ("record", "audited")
                    and isinstance(func.value, ast.Name)
                    and func.value.id in modules
                )
            if not hit:
                continue
            name = str(path.relative_to(PACKAGE))
            if node.args:
                for value in _strings(node.args[0]):
                    actions.setdefault(value, set()).add(name)
            for keyword in node.keywords:
                if keyword.arg == "view_action":
                    for value in _strings(keyword.value):
                        actions.setdefault(value, set()).add(name)
                if keyword.arg == "object_type":
                    for value in _strings(keyword.value):
                        object_types.setdefault(value, set()).add(name)
    return {"actions": actions, "object_types": object_types}


def test_the_source_scan_finds_the_new_features_actions():
    # The scan itself must see through aliases and wrappers, or the test below is empty.
    found = recorded_in_source()["actions"]
    for action in (
        "case.view",  # @audited
        "portal.claim",  # record imported as audit
        "event_invitation.open",  # a module's _record(action, ...) wrapper
        "user.deactivated",  # a conditional action through audit.record
        "referral.state",
        "contact.create",
        "contact_topic.view",  # a view_action
    ):
        assert action in found, action
    assert len(found) > 100


def test_every_recorded_action_has_a_label():
    found = recorded_in_source()["actions"]
    missing = {
        action: sorted(files) for action, files in found.items() if action not in labels.ACTIONS
    }
    assert missing == {}


def test_every_recorded_action_belongs_to_a_kind():
    def kind_of(action):
        return [
            kind
            for kind, (_label, prefixes) in labels.KINDS.items()
            for prefix in prefixes
            if (action.startswith(prefix) if prefix.endswith(".") else action == prefix)
        ]

    found = recorded_in_source()["actions"]
    without = sorted(action for action in found if not kind_of(action))
    assert without == []


def test_every_recorded_object_type_has_a_label():
    found = recorded_in_source()["object_types"]
    missing = {t: sorted(files) for t, files in found.items() if t not in labels.OBJECT_TYPES}
    assert missing == {}


def test_every_audited_view_of_the_app_has_labels(app):
    # The registry the decorator keeps, as a second source (routes built at run time).
    for endpoint, view in app.view_functions.items():
        spec = audit_spec(view)
        if spec is None:
            continue
        for action in (spec.action, spec.view_action):
            if action is not None:
                assert action in labels.ACTIONS, (endpoint, action)
        if spec.object_type is not None:
            assert spec.object_type in labels.OBJECT_TYPES, (endpoint, spec.object_type)


def test_the_machinerys_own_actions_have_labels():
    for action in ("access.denied", "rate_limited", "audit.prune"):
        assert action in labels.ACTIONS


def test_a_cases_access_log_shows_a_referral_by_its_label(make_user, make_case, client_for):
    from caseflow.cases.models import Person
    from caseflow.partners.models import Referral, ReferralState
    from caseflow.partners.services import create_partner
    from tests.conftest import person

    advisor, lead = make_user("advisor"), make_user("team_lead")
    case = make_case(advisor, persons=[person(first="Testperson")])
    partner = create_partner(
        case.centre_id,
        {
            "name": "Zorgkas Test",
            "type": "health_fund",
            "email": "intake@zorgkas-test.example.org",
            "email_language": "nl",
            "languages": ["nl"],
            "municipalities": "Hasselt",
            "website": "",
        },
    )
    db.session.commit()
    client = client_for(advisor)
    form = client.get(f"/cases/{case.id}/referrals/new")
    assert form.status_code == 200
    person_id = db.session.scalars(select(Person.id).where(Person.case_id == case.id)).one()
    response = client.post_form(
        f"/cases/{case.id}/referrals/new",
        {
            "partner_id": partner.id,
            "person_ids": [person_id],
            "reason": "Health fund",
            "consent": "no",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    referral = db.session.scalars(select(Referral).where(Referral.case_id == case.id)).one()
    response = client.post_form(
        f"/cases/{case.id}/referrals/{referral.id}/state",
        {"state": "contacted", "version": referral.version},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).state == ReferralState.CONTACTED

    log = client_for(lead)
    body = log.get(f"/cases/{case.id}/access-log").get_data(as_text=True)
    assert "Opened the referral form" in body
    assert "Referred the client to a partner" in body
    assert "Changed a referral&#39;s state" in body
    assert "Referral" in body  # the object type, as a label
    for code in ("referral.form", "referral.create", "referral.state"):
        assert code not in body
    changed = log.get(f"/cases/{case.id}/access-log?kind=change").get_data(as_text=True)
    assert "Changed a referral&#39;s state" in changed
    assert "Referred the client to a partner" in changed
    assert "Opened the referral form" not in changed  # a look, not a change
    looked = log.get(f"/cases/{case.id}/access-log?kind=view").get_data(as_text=True)
    assert "Opened the referral form" in looked
    assert "Changed a referral&#39;s state" not in looked
