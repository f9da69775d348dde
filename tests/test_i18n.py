"""Both interface languages are complete; dates and times follow Belgian conventions."""

import subprocess
import sys
from datetime import datetime
from pathlib import Path

from babel.messages.pofile import read_po

from caseflow import ROOT
from caseflow.auth.models import User
from caseflow.extensions import db
from caseflow.notes.services import add_note
from tests.conftest import login, person, reload


def _dutch_catalogue():
    with open(ROOT / "caseflow/translations/nl/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle)


def test_dutch_catalogue_is_complete():
    catalogue = _dutch_catalogue()
    missing = [m.id for m in catalogue if m.id and (not m.string or m.fuzzy)]
    missing += [
        m.id for m in catalogue if m.id and isinstance(m.string, tuple) and not all(m.string)
    ]
    assert missing == []
    assert len(catalogue) > 200


def _extract(config: str, tmp_path) -> set[str]:
    """The msgids `pybabel extract` finds with ``config`` (as `make extract-messages`)."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("pybabel")),
            "extract",
            "-F",
            str(ROOT / config),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            str(ROOT),
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    with open(pot, "rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


def _translated(language: str) -> set[str]:
    with open(ROOT / f"caseflow/translations/{language}/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    return {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalogue
        if m.id
        and not m.fuzzy
        and m.string
        and (all(m.string) if isinstance(m.string, tuple) else True)
    }


def test_every_ui_string_in_the_code_has_a_dutch_translation(tmp_path):
    assert sorted(_extract("babel.cfg", tmp_path) - _translated("nl")) == []


def test_every_client_facing_string_has_a_french_translation(tmp_path):
    """Clients get documents and emails in nl, en or fr; staff pages are en and nl only."""
    client_strings = _extract("babel-client.cfg", tmp_path)
    assert len(client_strings) > 20
    assert sorted(client_strings - _translated("fr")) == []


def test_user_picks_dutch_in_the_profile(client, make_user):
    user = make_user("advisor")
    login(client, user)
    response = client.post_form("/profile", {"full_name": user.full_name, "locale": "nl"})
    assert response.status_code == 302
    assert reload(User, user.id).locale == "nl"
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "Mijn werk" in page and "Dossiers" in page


def test_browser_language_is_the_default(client, make_user):
    page = client.get("/login", headers={"Accept-Language": "nl-BE,nl;q=0.9"})
    assert '<html lang="nl">' in page.get_data(as_text=True)
    page = client.get("/login", headers={"Accept-Language": "de-DE,en;q=0.5"})
    assert '<html lang="en">' in page.get_data(as_text=True)


def test_language_switch_on_the_login_page(client):
    client.fetch_csrf()
    response = client.post_form("/language", {"locale": "nl", "next": "/login"})
    assert response.location == "/login"
    assert "Aanmelden" in client.get("/login").get_data(as_text=True)


def test_dates_are_dd_mm_yyyy_and_times_in_brussels(client, make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor, arrival_date=datetime(2026, 3, 9).date())
    note = add_note(case, advisor, "Summer-time note")
    note.created_at = datetime(2026, 7, 1, 22, 30)  # UTC; 00:30 the next day in Brussels
    db.session.commit()
    login(client, advisor)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "09/03/2026" in page
    assert "02/07/2026 00:30" in page


def test_country_names_follow_the_interface_language(client, make_user, make_case):
    advisor = make_user("advisor", locale="nl")
    case = make_case(advisor, persons=[person(nationality="DE")])
    login(client, advisor)
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Duitsland" in page and "Germany" not in page


def test_client_pages_choose_among_dutch_english_and_french(database_url, monkeypatch):
    """A view marked @client_page speaks French to a French browser, remembers ?lang=,
    and falls back to the view's own default (e.g. the case's language) before the
    browser's; staff pages stay English/Dutch."""
    from flask import g

    from caseflow import create_app
    from caseflow.core import web
    from caseflow.core.i18n import client_page, current_locale
    from tests.conftest import make_test_config

    app = create_app(make_test_config(database_url))
    monkeypatch.setattr(
        web,
        "PUBLIC_ENDPOINTS",
        web.PUBLIC_ENDPOINTS | {"test_client_page", "test_client_default", "test_staff_page"},
    )

    @client_page
    def client_view():
        return current_locale()

    def client_view_with_default():
        g.client_locale_default = "en"
        return current_locale()

    app.add_url_rule("/_test/client", "test_client_page", client_view)
    app.add_url_rule(
        "/_test/client-default",
        "test_client_default",
        client_page(client_view_with_default),
    )
    app.add_url_rule("/_test/staff", "test_staff_page", lambda: current_locale())
    french = {"Accept-Language": "fr-BE,fr;q=0.9"}
    with app.test_client() as browser:
        assert browser.get("/_test/client", headers=french).text == "fr"
        assert browser.get("/_test/staff", headers=french).text != "fr"
        assert browser.get("/_test/client-default", headers=french).text == "en"
        assert browser.get("/_test/client?lang=nl", headers=french).text == "nl"
        assert browser.get("/_test/client", headers=french).text == "nl"
        assert browser.get("/_test/client?lang=xx", headers=french).text == "nl"
