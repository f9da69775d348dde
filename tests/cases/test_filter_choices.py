"""The case list filter's advisors and case types come from one query
(cases.queries.filter_choices), in the order the separate queries gave."""

from caseflow.auth.services import centre_users
from caseflow.cases.models import CaseType
from caseflow.cases.queries import centre_case_types, filter_choices
from caseflow.extensions import db
from tests.cases.test_query_counts import count_queries


def test_one_query_gives_the_staff_and_case_types_in_order(
    centre, other_centre, make_user, make_case
):
    make_user("advisor", name="zoë Zeta")
    make_user("advisor", name="Anna Alpha")
    make_user("team_lead", name="bert Beta", is_active_account=False)  # a leaver: listed
    make_user("advisor", centre_=other_centre, name="Olga Other")  # another centre: not
    db.session.add_all(
        [
            CaseType(centre_id=centre.id, name_en="Zebra", name_nl="Zebra NL", position=-1),
            CaseType(centre_id=other_centre.id, name_en="Elsewhere", name_nl="Elders"),
        ]
    )
    db.session.commit()
    assert centre.id
    with count_queries() as statements:
        english = filter_choices(centre.id, "en")
    assert len(statements) == 1
    assert english.advisors == [
        (u.id, u.full_name) for u in centre_users(centre.id, active_only=False)
    ]
    assert [name for _id, name in english.advisors][:2] == ["Anna Alpha", "bert Beta"]
    assert "Olga Other" not in {name for _id, name in english.advisors}
    types = centre_case_types(centre.id)
    assert english.case_types == [(t.id, t.name_en) for t in types]
    assert english.case_types[0][1] == "Zebra"  # position -1 comes first
    assert filter_choices(centre.id, "nl").case_types == [(t.id, t.name_nl) for t in types]


def test_the_case_list_offers_them(client_for, make_user):
    lead = make_user("team_lead", name="Lena Lead")
    make_user("advisor", name="Anna Alpha", is_active_account=False)
    body = client_for(lead).get("/cases").get_data(as_text=True)
    select_html = body[
        body.index('name="advisor"') : body.index("</select>", body.index('name="advisor"'))
    ]
    assert ">Anna Alpha</option>" in select_html and ">Lena Lead</option>" in select_html
    assert select_html.index("Anna Alpha") < select_html.index("Lena Lead")
