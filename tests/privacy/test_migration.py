"""Migration 0009: existing consent dates become agreements to version 1."""

import flask_migrate
import sqlalchemy as sa

from caseflow.extensions import db


def test_existing_consent_dates_become_version_1(centre, other_centre, make_user, make_case):
    advisor = make_user("advisor")
    case = make_case(None, actor=advisor, legal_basis=None)
    case_id, consent_on = case.id, case.consent_on
    centre_ids = (centre.id, other_centre.id)
    db.session.commit()
    db.session.close()  # release locks before DDL
    try:
        flask_migrate.downgrade(revision="0008")
        with db.engine.begin() as connection:
            assert "privacy_notice_versions" not in sa.inspect(connection).get_table_names()
    finally:
        flask_migrate.upgrade()
    with db.engine.connect() as connection:
        versions = connection.execute(
            sa.text(
                "SELECT centre_id, number, published_by_id, text_fr FROM privacy_notice_versions"
                " ORDER BY centre_id"
            )
        ).all()
        row = connection.execute(
            sa.text(
                "SELECT legal_basis, privacy_notice_version_id, consent_on FROM cases"
                " WHERE id = :id"
            ),
            {"id": case_id},
        ).one()
        linked = connection.execute(
            sa.text("SELECT centre_id, number FROM privacy_notice_versions WHERE id = :id"),
            {"id": row.privacy_notice_version_id},
        ).one()
    # One placeholder version 1 per centre, published by nobody (the admin replaces it).
    assert [(v.centre_id, v.number, v.published_by_id) for v in versions] == [
        (centre_ids[0], 1, None),
        (centre_ids[1], 1, None),
    ]
    assert "provisoire" in versions[0].text_fr
    assert row.legal_basis == "consent"
    assert str(row.consent_on) == str(consent_on)
    assert (linked.centre_id, linked.number) == (centre_ids[0], 1)
