"""Imports run one way: core -> auth, centres -> cases -> feature packages -> app.

Every module under caseflow/ is parsed with ``ast`` (imports inside functions count
too). The suite fails when

- a module imports another package's routes module (``routes.py``,
  ``admin_routes.py``): only the app factory, ``caseflow/__init__.py``, registers
  blueprints. Helpers two areas need live in ``core`` (``core.urls.safe_next``,
  ``core.downloads``, ``core.enums.str_enum``); the case page is ``cases/page.py``;
- a lower layer imports a higher one (unless listed in ``KNOWN_EXCEPTIONS``);
- a feature package imports another feature package that it did not import when this
  rule was written (``FEATURE_IMPORTS``).
"""

import ast
from pathlib import Path

import pytest

import caseflow

PACKAGE_ROOT = Path(caseflow.__file__).resolve().parent

CORE, AUTH, CASES, FEATURE, APP = range(5)
LAYER_NAMES = {CORE: "core", AUTH: "auth/centres", CASES: "cases", FEATURE: "feature", APP: "app"}

# Top-level modules below every package: the extension objects (db, login manager...).
CORE_TOP_LEVEL = {"extensions"}
PACKAGE_LAYERS = {"core": CORE, "auth": AUTH, "centres": AUTH, "cases": CASES}
# Any other package is a feature package (checklists, notes, followups, reviews,
# documents, mail, reports, team, admin, ...); any other top-level module
# (__init__, cli, main, demo, models, config, ...) is the app.

# Feature packages that use each other today. A new pair fails the suite: think twice
# (a hook, or the route calling both services, usually keeps the areas apart).
FEATURE_IMPORTS = {
    # The case summary PDF shows the checklist, open follow-ups and the notes.
    ("documents", "checklists"),
    ("documents", "followups"),
    ("documents", "notes"),
    # The client email attaches the checklist PDF.
    ("mail", "documents"),
    # Reminders mail overdue steps and follow-ups; the lead's digest shows the team
    # overview and the pending reviews.
    ("mail", "checklists"),
    ("mail", "followups"),
    ("mail", "reviews"),
    ("mail", "team"),
    # The calendar feed lists my open follow-ups and the due checklist steps of my cases.
    ("calendar", "checklists"),
    ("calendar", "followups"),
    # The funder report counts checklist steps; its PDF uses the shared PDF renderer.
    ("reports", "checklists"),
    ("reports", "documents"),
    # A closing request is refused while required steps are open.
    ("reviews", "checklists"),
    # The team overview counts overdue steps and follow-ups; the review queue.
    ("team", "checklists"),
    ("team", "followups"),
    ("team", "reviews"),
    # Retention runs every pruning of what piles up in one place: expired export files,
    # old email bodies, backups beyond BACKUP_KEEP (their own services, reused).
    ("privacy", "backup"),
    ("privacy", "documents"),
    ("privacy", "mail"),
    # Erasure empties every area's personal data of a case: checklist step notes,
    # notes, follow-ups, reviews, outbox emails and export jobs.
    ("privacy", "checklists"),
    ("privacy", "followups"),
    ("privacy", "notes"),
    ("privacy", "reviews"),
    # Files attached to a case: erasure and retention delete them, the subject-access
    # export carries them.
    ("privacy", "attachments"),
    # The step page lists the step's files and takes an upload (re-shown on refusal).
    ("checklists", "attachments"),
    # The client's page: the checklist as the client sees it (grouping, ticking a
    # confirmed step), the link and the advisor's notice go through the outbox.
    ("portal", "checklists"),
    ("portal", "mail"),
    # The client sends documents for their steps (stored and checked as any file).
    ("portal", "attachments"),
    # The checklist email can carry a (new) link to the client's page.
    ("mail", "portal"),
    # Export, erasure and retention cover the portal's links, claims and messages.
    ("privacy", "portal"),
    # Export and erasure cover the consent to event invitations (caseflow/events).
    ("privacy", "events"),
    # Event invitations and cancellations go through the outbox.
    ("events", "mail"),
    # An event may name a partner of the centre's directory (the form's select).
    ("events", "partners"),
    # The funder report counts the events, invitations and attendance.
    ("reports", "events"),
    # An online request queues its confirmation email through the outbox.
    ("webintake", "mail"),
    # A referral queues its email (to the partner, or the partner's details to the
    # client at one of the case's addresses) through the outbox.
    ("partners", "mail"),
    # Export, erasure and retention cover referrals.
    ("privacy", "partners"),
    # The team overview counts open referrals per advisor; the funder report counts
    # referrals by partner type and outcome.
    ("team", "partners"),
    ("reports", "partners"),
    # A template step's admin form offers the partner types (their labels).
    ("checklists", "partners"),
    # Erasure and retention remove first-line contacts' names and notes; the funder
    # report counts contacts.
    ("privacy", "contacts"),
    ("reports", "contacts"),
}

# Imports against the direction that exist today and that this refactoring did not
# remove: (importing module, imported module). Each one is a debt, not a licence; do
# not add to this list, remove entries as the code is fixed.
KNOWN_EXCEPTIONS = {
    # The access rules are written once, in auth/permissions.py, and they are about
    # cases and who holds an open follow-up on one.
    ("caseflow.auth.permissions", "caseflow.cases.models"),
    ("caseflow.auth.permissions", "caseflow.followups.models"),
    # A new centre gets the default case types. Fix: a hook that cases registers, or
    # the callers (cli.py, demo.py) calling both services.
    ("caseflow.centres.services", "caseflow.cases.services"),
    # Case services keep the checklist in step with the household, refuse to close with
    # open required steps, and settle a pending closing request. Fix: hooks that
    # checklists and reviews register, or the routes calling both services.
    ("caseflow.cases.services", "caseflow.checklists"),
    ("caseflow.cases.services", "caseflow.reviews.models"),
    # The case list filters on overdue steps and on follow-ups.
    ("caseflow.cases.queries", "caseflow.checklists.models"),
    ("caseflow.cases.queries", "caseflow.checklists.services"),
    ("caseflow.cases.queries", "caseflow.followups.models"),
    # The case page shows every area of a case (one read model, by design; its small
    # lists are one UNION ALL over the areas' tables, cases.page.load_page_lists).
    ("caseflow.cases.page", "caseflow.checklists.views"),
    ("caseflow.cases.page", "caseflow.followups.forms"),
    ("caseflow.cases.page", "caseflow.followups.models"),
    ("caseflow.cases.page", "caseflow.mail.models"),
    ("caseflow.cases.page", "caseflow.notes.forms"),
    ("caseflow.cases.page", "caseflow.notes.models"),
    ("caseflow.cases.page", "caseflow.reviews.forms"),
    ("caseflow.cases.page", "caseflow.reviews.models"),
    ("caseflow.cases.page", "caseflow.attachments.forms"),
    ("caseflow.cases.page", "caseflow.attachments.models"),
    # The case list shows checklist progress; an advisor's close becomes a closing
    # request (reviews) when the centre requires approval.
    ("caseflow.cases.routes", "caseflow.checklists.services"),
    ("caseflow.cases.routes", "caseflow.reviews"),
    ("caseflow.cases.routes", "caseflow.reviews.services"),
}


def module_name(path: Path) -> str:
    parts = ("caseflow", *path.relative_to(PACKAGE_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_package(module: str) -> bool:
    return (PACKAGE_ROOT.joinpath(*module.split(".")[1:]) / "__init__.py").exists()


def imported_modules(module: str, source: str) -> set[str]:
    """Every caseflow module ``source`` imports (``from a import b`` counts as ``a.b``
    when ``b`` is a module, else as ``a``)."""
    package = module if is_package(module) else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if exists(submodule) else base)
    return {
        name
        for name in found
        if (name == "caseflow" or name.startswith("caseflow.")) and exists(name)
    }


def exists(module: str) -> bool:
    relative = module.split(".")[1:]
    path = PACKAGE_ROOT.joinpath(*relative)
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def area(module: str) -> str:
    """The package (``cases``) or top-level module (``cli``) a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer(module: str) -> int:
    name = area(module)
    if is_package(f"caseflow.{name}") and name != "__init__":
        return PACKAGE_LAYERS.get(name, FEATURE)
    return CORE if name in CORE_TOP_LEVEL else APP


def is_routes(module: str) -> bool:
    return module.rpartition(".")[2].endswith("routes") and module.count(".") >= 2


def violations(sources: dict[str, str]) -> list[str]:
    """The broken rules in ``sources`` (module name -> source text)."""
    found = []
    for module, source in sources.items():
        for target in sorted(imported_modules(module, source)):
            if area(target) == area(module):
                continue
            if is_routes(target) and module != "caseflow":
                found.append(f"{module} imports {target}: another package's routes module")
            low, high = layer(module), layer(target)
            if high > low and not any(
                module == known and (target == dep or target.startswith(dep + "."))
                for known, dep in KNOWN_EXCEPTIONS
            ):
                found.append(
                    f"{module} ({LAYER_NAMES[low]}) imports {target} ({LAYER_NAMES[high]}):"
                    " a lower layer imports a higher one"
                )
            if low == high == FEATURE and (area(module), area(target)) not in FEATURE_IMPORTS:
                found.append(
                    f"{module} imports {target}: a new dependency between feature packages"
                    " (see FEATURE_IMPORTS)"
                )
    return found


def all_sources() -> dict[str, str]:
    return {
        module_name(path): path.read_text(encoding="utf-8")
        for path in sorted(PACKAGE_ROOT.rglob("*.py"))
    }


def test_imports_run_one_way():
    problems = violations(all_sources())
    assert not problems, "\n".join(problems)


def test_every_known_exception_still_exists():
    """A fixed exception leaves the list, so it cannot come back unnoticed."""
    sources = all_sources()
    used = {
        (module, target)
        for module in sources
        for target in imported_modules(module, sources[module])
    }
    stale = {
        (known, dep)
        for known, dep in KNOWN_EXCEPTIONS
        if not any(m == known and (t == dep or t.startswith(dep + ".")) for m, t in used)
    }
    assert stale == set()


def test_every_feature_pair_is_still_used():
    sources = all_sources()
    used = {
        (area(module), area(target))
        for module in sources
        for target in imported_modules(module, sources[module])
    }
    assert FEATURE_IMPORTS - used == set()


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        # Another package's routes, in each spelling.
        ("caseflow.notes.routes", "from caseflow.cases.routes import bp", "routes module"),
        ("caseflow.notes.routes", "from caseflow.cases import routes", "routes module"),
        ("caseflow.notes.routes", "import caseflow.cases.routes", "routes module"),
        ("caseflow.main", "from caseflow.auth.routes import bp", "routes module"),
        ("caseflow.cases.services", "from caseflow.checklists.admin_routes import bp", "routes"),
        # A lower layer importing a higher one, also inside a function.
        ("caseflow.core.web", "def f():\n    from caseflow.cases import labels", "lower layer"),
        ("caseflow.auth.services", "from caseflow.cases.models import Case", "lower layer"),
        ("caseflow.cases.models", "from caseflow.notes.models import Note", "lower layer"),
        ("caseflow.notes.services", "from caseflow import demo", "lower layer"),
        ("caseflow.cases.page", "from caseflow.team.queries import team_overview", "lower"),
        # A new pair of feature packages.
        ("caseflow.notes.services", "from caseflow.followups.models import FollowUp", "new"),
        # Relative imports resolve too.
        ("caseflow.notes.routes", "from ..cases.routes import bp", "routes module"),
    ],
)
def test_the_rules_catch_a_bad_import(module, source, expected):
    [problem] = violations({module: source})
    assert expected in problem


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("caseflow", "from caseflow.cases.routes import bp"),  # the app factory
        ("caseflow.cases.routes", "from caseflow.cases.page import render_case_page"),
        ("caseflow.notes.routes", "from caseflow.cases.page import render_case_page"),
        ("caseflow.notes.routes", "from caseflow.core.urls import safe_next"),
        ("caseflow.mail.client", "from caseflow.documents.services import client_checklist_pdf"),
        ("caseflow.cases.models", "from caseflow.extensions import db"),
        ("caseflow.cli", "from caseflow.demo import seed"),
    ],
)
def test_the_rules_allow_imports_that_run_one_way(module, source):
    assert violations({module: source}) == []
