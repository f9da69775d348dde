"""The centre's privacy notice: versions, the current one, publishing. None commit.

A centre always has a notice: version 1 is made with the centre (or, for centres that
existed before notices, by migration 0009) with a placeholder text that an admin
replaces by publishing a new version. Versions are never edited or deleted: a case
records the version its client agreed to.
"""

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from caseflow.centres.models import Centre, PrivacyNoticeVersion
from caseflow.core.errors import DomainError
from caseflow.extensions import db

# Stored data, not interface strings: an admin replaces them. Migration 0009 keeps its
# own copy (a migration never imports application code).
PLACEHOLDER_TEXTS = {
    "en": (
        "We keep the details you give us to help you settle in Belgium. "
        "This is a placeholder: the centre replaces it with its privacy notice."
    ),
    "nl": (
        "We bewaren de gegevens die u ons geeft om u te helpen bij uw verblijf in België. "
        "Dit is een voorlopige tekst: het centrum vervangt hem door zijn privacyverklaring."
    ),
    "fr": (
        "Nous conservons les données que vous nous confiez pour vous aider à vous installer "
        "en Belgique. Ce texte est provisoire : le centre le remplace par sa déclaration de "
        "confidentialité."
    ),
}


def versions(centre_id: int) -> list[PrivacyNoticeVersion]:
    """Every version of the centre's notice, newest first (with who published it)."""
    return list(
        db.session.scalars(
            select(PrivacyNoticeVersion)
            .options(joinedload(PrivacyNoticeVersion.published_by))
            .where(PrivacyNoticeVersion.centre_id == centre_id)
            .order_by(PrivacyNoticeVersion.number.desc())
        )
    )


def current_notice(centre_id: int) -> PrivacyNoticeVersion | None:
    """The newest version of the centre's notice (None only for a centre made by hand)."""
    return db.session.scalars(
        select(PrivacyNoticeVersion)
        .where(PrivacyNoticeVersion.centre_id == centre_id)
        .order_by(PrivacyNoticeVersion.number.desc())
        .limit(1)
    ).first()


def notice_version(centre_id: int, number: int) -> PrivacyNoticeVersion | None:
    return db.session.scalar(
        select(PrivacyNoticeVersion)
        .options(joinedload(PrivacyNoticeVersion.published_by))
        .where(PrivacyNoticeVersion.centre_id == centre_id, PrivacyNoticeVersion.number == number)
    )


def ensure_notice(centre: Centre) -> PrivacyNoticeVersion:
    """The centre's current notice, making the placeholder version 1 when it has none."""
    notice = current_notice(centre.id)
    if notice is None:
        notice = PrivacyNoticeVersion(
            centre_id=centre.id,
            number=1,
            text_en=PLACEHOLDER_TEXTS["en"],
            text_nl=PLACEHOLDER_TEXTS["nl"],
            text_fr=PLACEHOLDER_TEXTS["fr"],
        )
        db.session.add(notice)
        db.session.flush()
    return notice


def publish_notice(
    centre: Centre, actor, *, text_en: str, text_nl: str, text_fr: str
) -> PrivacyNoticeVersion:
    """Publish an edit of the notice as the next version (earlier ones stay). Flushes.

    ``actor``: the admin publishing it (a ``User``).
    """
    current = current_notice(centre.id)
    if current and (current.text_en, current.text_nl, current.text_fr) == (
        text_en,
        text_nl,
        text_fr,
    ):
        raise DomainError(_("The text did not change: no new version was published."))
    latest = db.session.scalar(
        select(func.max(PrivacyNoticeVersion.number)).where(
            PrivacyNoticeVersion.centre_id == centre.id
        )
    )
    notice = PrivacyNoticeVersion(
        centre_id=centre.id,
        number=(latest or 0) + 1,
        text_en=text_en,
        text_nl=text_nl,
        text_fr=text_fr,
        published_by_id=actor.id,
    )
    db.session.add(notice)
    db.session.flush()
    return notice
