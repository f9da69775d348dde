"""A synthetic partner network for a Limburg centre (``flask seed-partners``, and the
demo data). Every organisation name is invented; the addresses are example.org ones;
contact persons are desks, never a person's name."""

from sqlalchemy import select

from caseflow.cases.models import ClientLanguage
from caseflow.centres.models import Centre
from caseflow.extensions import db
from caseflow.partners.models import Partner, PartnerType

# name, type, desk, email user, phone, languages, municipalities, topics, email language
LIMBURG = [
    (
        "Zorgkas Limburg Noord",
        PartnerType.HEALTH_FUND,
        "Onthaalbalie",
        "onthaal",
        "+32 11 00 10 10",
        "en,fr,nl",
        "Hasselt, Genk, Diepenbeek",
        "Health fund membership, sickness benefits",
        "nl",
    ),
    (
        "Mutualiteit De Kempen",
        PartnerType.HEALTH_FUND,
        "International desk",
        "international",
        "+32 11 00 10 20",
        "de,en,nl",
        "Genk, Houthalen-Helchteren, As",
        "Health fund, family allowances",
        "en",
    ),
    (
        "Haspengouwse Ziekenkas",
        PartnerType.HEALTH_FUND,
        "Onthaal",
        "info",
        "+32 11 00 10 30",
        "fr,nl",
        "Sint-Truiden, Tongeren, Borgloon",
        "Health fund membership",
        "nl",
    ),
    (
        "Bank van de Demer",
        PartnerType.BANK,
        "Newcomers desk",
        "newcomers",
        "+32 11 00 20 10",
        "en,fr,nl",
        "Hasselt, Diepenbeek",
        "Bank account, debit card",
        "en",
    ),
    (
        "Kempische Spaarbank",
        PartnerType.BANK,
        "Klantendienst",
        "klant",
        "+32 89 00 20 20",
        "en,nl,tr",
        "Genk, Maasmechelen",
        "Bank account",
        "nl",
    ),
    (
        "Taalhuis Hasselt",
        PartnerType.LANGUAGE_SCHOOL,
        "Inschrijvingen",
        "taal",
        "+32 11 00 30 10",
        "ar,en,fr,nl",
        "Hasselt, Zonhoven, Diepenbeek",
        "Dutch courses (NT2), conversation tables",
        "nl",
    ),
    (
        "Talencentrum Genk-Zuid",
        PartnerType.LANGUAGE_SCHOOL,
        "Secretariaat",
        "secretariaat",
        "+32 89 00 30 20",
        "en,nl,pl,tr",
        "Genk, As, Oudsbergen",
        "Dutch courses, evening classes",
        "nl",
    ),
    (
        "Stad Hasselt - Burgerzaken",
        PartnerType.MUNICIPALITY,
        "Vreemdelingendienst",
        "burgerzaken",
        "+32 11 00 40 10",
        "en,fr,nl",
        "Hasselt",
        "Registration, residence card",
        "nl",
    ),
    (
        "Gemeente Diepenbeek - Loket",
        PartnerType.MUNICIPALITY,
        "Bevolking",
        "loket",
        "+32 11 00 40 20",
        "en,nl",
        "Diepenbeek",
        "Registration, residence card",
        "nl",
    ),
    (
        "Stad Sint-Truiden - Onthaal",
        PartnerType.MUNICIPALITY,
        "Bevolking",
        "bevolking",
        "+32 11 00 40 30",
        "fr,nl",
        "Sint-Truiden",
        "Registration",
        "nl",
    ),
    (
        "Hogeschool Limburg Campus Diepenbeek",
        PartnerType.KNOWLEDGE_INSTITUTION,
        "International office",
        "international-office",
        "+32 11 00 50 10",
        "en,nl",
        "Diepenbeek, Hasselt",
        "Researchers, PhD students, visiting staff",
        "en",
    ),
    (
        "Kennispark Genk",
        PartnerType.KNOWLEDGE_INSTITUTION,
        "Welcome desk",
        "welcome",
        "+32 89 00 50 20",
        "en,nl",
        "Genk",
        "Researchers, start-ups",
        "en",
    ),
    (
        "Verzekeringen Maasland",
        PartnerType.INSURER,
        "Particulieren",
        "particulieren",
        "+32 89 00 60 10",
        "en,nl",
        "Genk, Maasmechelen, Dilsen-Stokkem",
        "Fire, family liability and car insurance",
        "nl",
    ),
    (
        "Limburgse Werkgeversvereniging",
        PartnerType.EMPLOYER,
        "HR-netwerk",
        "hr",
        "+32 11 00 70 10",
        "en,nl",
        "Hasselt, Genk, Sint-Truiden",
        "Partner's job, recruitment",
        "en",
    ),
    (
        "Woonwinkel Limburg",
        PartnerType.HOUSING,
        "Woonloket",
        "wonen",
        "+32 11 00 80 10",
        "en,fr,nl",
        "Hasselt, Genk, Diepenbeek, Sint-Truiden",
        "Renting, rental guarantee, social housing",
        "nl",
    ),
    (
        "Onthaalnetwerk Nieuwkomers Limburg",
        PartnerType.OTHER,
        "Coördinatie",
        "coordinatie",
        "+32 11 00 90 10",
        "ar,en,fr,nl",
        "Hasselt, Genk, Sint-Truiden",
        "Leisure, clubs, volunteering",
        "nl",
    ),
]


def _slug(name: str) -> str:
    keep = "".join(ch if ch.isalnum() else "-" for ch in name.lower())
    return "-".join(part for part in keep.split("-") if part)[:40]


def seed_partners(centre: Centre) -> int:
    """Add the synthetic Limburg partners a centre lacks (by name). Flushes; returns how
    many were added."""
    existing = set(db.session.scalars(select(Partner.name).where(Partner.centre_id == centre.id)))
    added = 0
    for name, kind, desk, user, phone, languages, towns, topics, language in LIMBURG:
        if name in existing:
            continue
        slug = _slug(name)
        db.session.add(
            Partner(
                centre_id=centre.id,
                name=name,
                type=kind,
                contact_person=desk,
                email=f"{user}@{slug}.example.org",
                phone=phone,
                website=f"https://{slug}.example.org",
                languages=languages,
                municipalities=towns,
                topics=topics,
                notes=None,
                email_language=ClientLanguage(language),
                is_active=True,
            )
        )
        added += 1
    db.session.flush()
    return added
