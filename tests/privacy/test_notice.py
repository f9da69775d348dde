"""The centre's privacy notice: admins publish versions; earlier versions stay."""

import pytest

from caseflow.centres import notices
from caseflow.centres.models import PrivacyNoticeVersion
from caseflow.core.audit import AuditEvent
from caseflow.core.errors import DomainError
from caseflow.extensions import db

NEW_TEXTS = {
    "text_en": "We keep your details for two years.\nAsk us anything.",
    "text_nl": "We bewaren uw gegevens twee jaar.",
    "text_fr": "Nous conservons vos données deux ans.",
}


def test_a_new_centre_has_the_placeholder_as_version_1(centre):
    current = notices.current_notice(centre.id)
    assert current.number == 1 and current.published_by_id is None
    assert current.text("fr") == notices.PLACEHOLDER_TEXTS["fr"]
    assert current.text("nl") == notices.PLACEHOLDER_TEXTS["nl"]


def test_publishing_an_edit_makes_version_2_and_keeps_version_1(centre, make_user):
    admin = make_user("admin")
    first = notices.current_notice(centre.id)
    second = notices.publish_notice(centre, admin, **NEW_TEXTS)
    db.session.commit()
    db.session.expire_all()
    assert second.number == 2 and second.published_by_id == admin.id
    assert notices.current_notice(centre.id).id == second.id
    kept = db.session.get(PrivacyNoticeVersion, first.id)
    assert kept.number == 1 and kept.text_en == notices.PLACEHOLDER_TEXTS["en"]
    assert [v.number for v in notices.versions(centre.id)] == [2, 1]


def test_publishing_the_same_text_again_is_refused(centre, make_user):
    admin = make_user("admin")
    notices.publish_notice(centre, admin, **NEW_TEXTS)
    with pytest.raises(DomainError):
        notices.publish_notice(centre, admin, **NEW_TEXTS)


def test_the_admin_page_publishes_a_version_and_shows_them_all(centre, make_user, client_for):
    admin = make_user("admin", name="Alma Admin")
    web = client_for(admin)
    page = web.get("/admin/privacy-notice").get_data(as_text=True)
    assert notices.PLACEHOLDER_TEXTS["en"] in page  # the form starts from the current text
    response = web.post_form("/admin/privacy-notice", NEW_TEXTS)
    assert response.status_code == 302
    page = web.get("/admin/privacy-notice").get_data(as_text=True)
    assert "Version 2" in page and "Version 1" in page and "Alma Admin" in page
    assert NEW_TEXTS["text_nl"] in page
    # Version 1 is still readable as it was.
    old = web.get("/admin/privacy-notice/1").get_data(as_text=True)
    assert notices.PLACEHOLDER_TEXTS["fr"] in old and "Read-only" in old
    assert NEW_TEXTS["text_fr"] not in old
    new = web.get("/admin/privacy-notice/2").get_data(as_text=True)
    assert NEW_TEXTS["text_fr"] in new and "Alma Admin" in new
    assert web.get("/admin/privacy-notice/3").status_code == 404
    db.session.rollback()
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "privacy_notice.publish")
    ).one()
    version_2 = notices.current_notice(centre.id)
    assert (event.object_type, event.object_id, event.outcome) == (
        "privacy_notice",
        version_2.id,
        "ok",
    )
    assert event.details["number"] == 2 and "text_en" not in event.details  # never the text


def test_an_empty_text_is_refused_and_publishes_nothing(centre, make_user, client_for):
    web = client_for(make_user("admin"))
    response = web.post_form("/admin/privacy-notice", {**NEW_TEXTS, "text_fr": "  "})
    assert response.status_code == 400
    db.session.rollback()
    assert notices.current_notice(centre.id).number == 1


def test_each_centre_has_its_own_notice(centre, other_centre, make_user, client_for):
    notices.publish_notice(centre, make_user("admin"), **NEW_TEXTS)
    db.session.commit()
    outsider = client_for(make_user("admin", centre_=other_centre))
    assert NEW_TEXTS["text_en"] not in outsider.get("/admin/privacy-notice").get_data(as_text=True)
    # Their own centre has only version 1: the other centre's version 2 is not found.
    assert outsider.get("/admin/privacy-notice/2").status_code == 404
    assert notices.current_notice(other_centre.id).number == 1


@pytest.mark.parametrize("role", ["advisor", "team_lead"])
def test_only_admins_reach_the_notice_pages(centre, make_user, client_for, role):
    web = client_for(make_user(role))
    assert web.get("/admin/privacy-notice").status_code == 403
    assert web.post_form("/admin/privacy-notice", NEW_TEXTS).status_code == 403
    assert web.get("/admin/privacy-notice/1").status_code == 403
    db.session.rollback()
    assert notices.current_notice(centre.id).number == 1
