"""The case page's "First-line contacts" panel (caseflow/contacts/case_panel.py): the
contacts about the case, read in the page's lists query."""

import re
from datetime import timedelta

from caseflow.contacts.models import ContactChannel
from caseflow.contacts.services import ContactData, erase_contact, log_contact
from caseflow.core.time import today
from caseflow.extensions import db
from tests.contacts.test_contacts import topic_id


def _log(user, case, *, days_ago=0, codes=("housing",), **fields):
    contact = log_contact(
        user,
        ContactData(
            channel=fields.pop("channel", ContactChannel.PHONE),
            topic_ids=[topic_id(case.centre_id, code) for code in codes],
            minutes=fields.pop("minutes", 5),
            contact_date=today() - timedelta(days=days_ago),
            **fields,
        ),
        case,
    )
    db.session.commit()
    return contact


def _panel(client, case) -> str:
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    match = re.search(r'<section[^>]*id="case-contacts".*?</section>', html, re.S)
    assert match, "no contacts panel"
    return match.group(0)


def test_the_case_page_lists_its_contacts_newest_first(client_for, make_user, make_case):
    advisor = make_user("advisor", name="Ada Owner")
    lead = make_user("team_lead", name="Lena Lead")
    case = make_case(advisor)
    other_case = make_case(advisor)
    older = _log(
        advisor,
        case,
        days_ago=3,
        channel=ContactChannel.EMAIL,
        codes=("housing", "schools"),
        note="Asked about a rental deposit",
        name="Quinn Caller",
    )
    newer = _log(lead, case, days_ago=1, minutes=12, codes=("taxes",))
    _log(advisor, other_case, note="Not this case's question")

    panel = _panel(client_for(advisor), case)
    assert panel.index(f'data-contact="{newer.id}"') < panel.index(f'data-contact="{older.id}"')
    assert "Email" in panel and "Phone" in panel
    assert "Housing, Schools" in panel and "Taxes" in panel
    assert "Asked about a rental deposit" in panel and "Quinn Caller" in panel
    assert "12 minutes" in panel
    assert "Logged by Lena Lead" in panel and "Logged by Ada Owner" in panel
    assert "Not this case&#39;s question" not in panel and "Not this case's question" not in panel

    # In Dutch, the topics' Dutch names.
    advisor.locale = "nl"
    db.session.commit()
    panel_nl = _panel(client_for(advisor), case)
    assert "Huisvesting, Scholen" in panel_nl and "Belastingen" in panel_nl


def test_a_contact_opens_only_for_who_may_see_it(client_for, make_user, make_case):
    advisor, lead = make_user("advisor"), make_user("team_lead")
    case = make_case(advisor)
    own = _log(advisor, case)
    leads = _log(lead, case)
    owner_panel = _panel(client_for(advisor), case)
    assert f"/contacts/{own.id}" in owner_panel
    # Logged by a team lead: listed on the case, but its page is the lead's and the
    # other team leads' (auth.permissions.can_see_contact).
    assert f'data-contact="{leads.id}"' in owner_panel
    assert f"/contacts/{leads.id}" not in owner_panel
    lead_panel = _panel(client_for(lead), case)
    assert f"/contacts/{own.id}" in lead_panel and f"/contacts/{leads.id}" in lead_panel


def test_empty_capped_and_erased(client_for, make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor)
    client = client_for(advisor)
    panel = _panel(client, case)
    assert "No first-line contacts about this case." in panel
    assert f"/contacts/new?next=/cases/{case.id}" in panel.replace("%2F", "/")

    contacts = [_log(advisor, case, days_ago=20 - i, note=f"Question {i}") for i in range(12)]
    panel = _panel(client, case)
    shown = re.findall(r'data-contact="(\d+)"', panel)
    assert shown == [str(c.id) for c in reversed(contacts)][:10]
    assert "Only the newest 10 are shown." in panel

    erase_contact(contacts[-1])
    db.session.commit()
    panel = _panel(client, case)
    assert "Question 11" not in panel and f'data-contact="{contacts[-1].id}"' in panel


def test_a_case_made_from_a_contact_says_so(client_for, make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(advisor)
    contact = _log(advisor, case)
    contact.converted_at = contact.created_at
    db.session.commit()
    assert "this case was made from it" in _panel(client_for(advisor), case)
