"""No route can silently skip the audit trail.

Every POST route, and every route with an object id in its URL (``case_id``,
``note_id``...), is ``@audited`` (outermost, with an action for that method) or is in
``NOT_AUDITED`` below with the reason. A new route fails this test until it is one or
the other.
"""

from caseflow import create_app
from caseflow.core.audit import audit_spec

EXPLICIT = "recorded explicitly in caseflow/auth"

NOT_AUDITED = {
    # Logins, logouts, profile and password changes, and the user admin: their own
    # events (auth.*, user.*) are recorded explicitly where they happen.
    ("auth.login", "POST"): EXPLICIT,
    ("auth.logout", "POST"): EXPLICIT,
    ("auth.save_profile", "POST"): EXPLICIT,
    ("auth.change_password", "POST"): EXPLICIT,
    ("auth.choose_password", "POST"): EXPLICIT,
    ("auth.second_factor", "POST"): EXPLICIT,
    ("auth.reauth", "POST"): EXPLICIT,
    ("auth.end_other_sessions", "POST"): EXPLICIT,
    ("auth.second_factor_setup", "POST"): EXPLICIT,
    ("auth.second_factor_disable", "POST"): EXPLICIT,
    ("auth.recovery_codes_renew", "POST"): EXPLICIT,
    ("admin.user_reset_second_factor", "POST"): EXPLICIT,
    ("admin.user_new", "POST"): EXPLICIT,
    ("admin.user_edit", "GET"): EXPLICIT,
    ("admin.user_edit", "POST"): EXPLICIT,
    ("admin.user_reset_password", "POST"): EXPLICIT,
    # Only the session's interface language changes; nothing about anyone is shown.
    ("main.set_language", "POST"): "no object, no personal data",
    # A progress bar that refreshes itself: no personal data (a refusal is still
    # recorded, as access.denied; the download is audited).
    ("documents.export_status", "GET"): "progress page, no personal data",
    # The client's page: no user. Opening a live link (portal.open), a claim
    # (portal.claim) and a question (portal.question) are recorded explicitly in
    # caseflow/portal, naming the case; a dead link's use is recorded as a denied
    # portal.open, a step of another case as access.denied.
    ("portal.claim", "POST"): "recorded explicitly in caseflow/portal (no user)",
    ("portal.question", "POST"): "recorded explicitly in caseflow/portal (no user)",
    ("portal.upload", "POST"): "recorded explicitly in caseflow/portal (no user)",
    ("portal.upload_document", "POST"): "recorded explicitly in caseflow/portal (no user)",
    # Admin form pages: what they change (their POST) is audited; the GET shows the
    # centre's configuration, not anyone's data.
    ("admin.case_type_edit", "GET"): "admin form page; its POST is audited",
    ("checklist_admin.template_edit", "GET"): "admin form page; its POST is audited",
    ("checklist_admin.item_new", "GET"): "admin form page; its POST is audited",
    ("checklist_admin.item_edit", "GET"): "admin form page; its POST is audited",
    # The personal invitation link (caseflow/events): no user. Opening it, registering,
    # declining and "no more invitations" are recorded explicitly, naming the case.
    ("event_invite.register", "POST"): "recorded explicitly in caseflow/events (no user)",
    ("event_invite.decline", "POST"): "recorded explicitly in caseflow/events (no user)",
    ("event_invite.unsubscribe", "POST"): "recorded explicitly in caseflow/events (no user)",
}


def _routes_that_must_be_audited():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for rule in app.url_map.iter_rules():
        object_route = any(name.endswith("_id") for name in rule.arguments)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method != "GET" or object_route:
                yield rule.endpoint, method, app.view_functions[rule.endpoint]


def test_every_post_and_object_route_is_audited_or_explained():
    missing = []
    for endpoint, method, view in _routes_that_must_be_audited():
        if (endpoint, method) in NOT_AUDITED:
            continue
        spec = audit_spec(view)
        action = None
        if spec is not None:
            action = spec.view_action if method == "GET" else spec.action
        if action is None:
            missing.append(f"{method} {endpoint}")
    assert not missing, (
        "put @audited(...) outermost on these views, or list them in NOT_AUDITED "
        f"with the reason: {missing}"
    )


def test_the_exceptions_are_still_routes():
    routes = {(endpoint, method) for endpoint, method, _view in _routes_that_must_be_audited()}
    assert set(NOT_AUDITED) <= routes, set(NOT_AUDITED) - routes


def test_audited_below_another_decorator_does_not_count():
    from caseflow.core.audit import audited

    def other(view):
        def wrapped():
            return view()

        wrapped.__dict__.update(view.__dict__)
        return wrapped

    assert audit_spec(audited("case.view")(lambda: None)) is not None
    assert audit_spec(other(audited("case.view")(lambda: None))) is None
