"""A synthetic demo caseload for the default centre. Every name here is invented."""

import random
from datetime import timedelta

from sqlalchemy import select

from caseflow.auth.models import Role, User
from caseflow.auth.services import create_user
from caseflow.cases import services as cases
from caseflow.cases.models import (
    Case,
    CaseStatus,
    ClientLanguage,
    ClosingReason,
    HouseholdRole,
    LegalBasis,
    ReferralChannel,
)
from caseflow.cases.queries import centre_case_types
from caseflow.centres.services import default_centre
from caseflow.checklists import services as checklists
from caseflow.checklists.models import ChecklistItem, ItemState
from caseflow.checklists.seeding import seed_catalogue
from caseflow.core.time import today, utcnow
from caseflow.extensions import db
from caseflow.followups.models import FollowUpStatus
from caseflow.followups.services import add_followup, close_followup
from caseflow.notes.services import add_note

DEMO_PASSWORD = "welcome-demo-centre-2026"  # noqa: S105 - the documented demo login
DEMO_USERS = [
    ("admin@example.org", "Ada Admin", Role.ADMIN),
    ("lead@example.org", "Lien Teamlead", Role.TEAM_LEAD),
    ("advisor1@example.org", "Arne Advisor", Role.ADVISOR),
    ("advisor2@example.org", "Bo Raadgever", Role.ADVISOR),
    ("advisor3@example.org", "Cato Consulent", Role.ADVISOR),
    ("advisor4@example.org", "Dries Begeleider", Role.ADVISOR),
]
DEMO_CASES = 60

# (nationality, first names, last names): invented combinations, no real people.
PEOPLE = [
    (
        "IN",
        ["Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Meera"],
        ["Sharma", "Iyer", "Nair", "Rao"],
    ),
    ("CN", ["Wei", "Li", "Jun", "Mei"], ["Zhang", "Wang", "Chen", "Liu"]),
    ("BR", ["Lucas", "Beatriz", "Rafael", "Camila"], ["Silva", "Souza", "Oliveira"]),
    ("US", ["Emily", "Jacob", "Olivia", "Noah"], ["Miller", "Johnson", "Walker"]),
    ("TR", ["Elif", "Mehmet", "Zeynep", "Emre"], ["Yılmaz", "Demir", "Kaya"]),
    ("UA", ["Oksana", "Dmytro", "Iryna", "Andriy"], ["Shevchenko", "Kovalenko", "Bondar"]),
    ("EG", ["Nour", "Omar", "Salma", "Karim"], ["Hassan", "Mahmoud", "Farouk"]),
    ("PL", ["Agnieszka", "Piotr", "Katarzyna", "Tomasz"], ["Kowalski", "Nowak", "Wiśniewski"]),
    ("ES", ["Lucía", "Javier", "Carmen", "Pablo"], ["García", "Martínez", "López"]),
    ("IT", ["Giulia", "Marco", "Chiara", "Luca"], ["Rossi", "Bianchi", "Romano"]),
    ("JP", ["Yuki", "Haruto", "Sakura", "Ren"], ["Tanaka", "Suzuki", "Sato"]),
    ("NG", ["Chinedu", "Amaka", "Tunde", "Ngozi"], ["Okafor", "Adeyemi", "Eze"]),
    ("MX", ["Sofía", "Diego", "Valeria", "Mateo"], ["Hernández", "Ramírez", "Flores"]),
    ("IR", ["Shirin", "Arash", "Leila", "Kian"], ["Rahimi", "Karimi", "Moradi"]),
    ("ZA", ["Thandi", "Sipho", "Lerato", "Johan"], ["Nkosi", "Botha", "Dlamini"]),
    ("RO", ["Ioana", "Andrei", "Elena", "Mihai"], ["Popescu", "Ionescu", "Stan"]),
    ("PH", ["Maria", "Jose", "Angelica", "Paolo"], ["Santos", "Reyes", "Cruz"]),
    ("MA", ["Yasmine", "Anas", "Imane", "Hamza"], ["El Amrani", "Benali", "Ouali"]),
]
MUNICIPALITIES = [
    "Hasselt",
    "Genk",
    "Diepenbeek",
    "Sint-Truiden",
    "Tongeren",
    "Lommel",
    "Beringen",
    "Maasmechelen",
]
EMPLOYERS = [
    ("Limburg Biotech Lab NV", "Life sciences"),
    ("Maasland Logistics BV", "Logistics"),
    ("Campus Research Institute", "Research"),
    ("Kempen Energy Systems", "Energy"),
    ("Demer Software Studio", "ICT"),
    ("Regional Hospital Group", "Health care"),
]
NOTES = [
    "Intake meeting held. Explained the registration steps at the town hall.",
    "Client asked about the health fund options; sent the comparison sheet.",
    "Waiting for the employer's confirmation of the start date.",
    "Partner is looking for work; mentioned diploma recognition.",
    "Children need a school place from September; gave the school registration contacts.",
    "Client reports the police address check took place.",
]
FOLLOWUPS = [
    "Call client about town hall appointment",
    "Check residence card status",
    "Send health fund information",
    "Ask employer for contract copy",
    "Follow up on school registration",
    "Check bank account opening",
]


def _person(rng, nationality, first_names, last_name, role, born):
    return cases.PersonData(
        first_name=rng.choice(first_names),
        last_name=last_name,
        household_role=role,
        nationality=nationality,
        date_of_birth=born,
    )


def _household(rng, day):
    nationality, first_names, last_names = rng.choice(PEOPLE)
    last_name = rng.choice(last_names)
    adult_born = day - timedelta(days=rng.randint(24 * 365, 50 * 365))
    persons = [
        _person(rng, nationality, first_names, last_name, HouseholdRole.MAIN_APPLICANT, adult_born)
    ]
    size = rng.choices([1, 2, 3, 4, 5], weights=[30, 20, 25, 18, 7])[0]
    if size >= 2:
        partner_nat = nationality if rng.random() < 0.8 else rng.choice(PEOPLE)[0]
        partner_names = next(p[1] for p in PEOPLE if p[0] == partner_nat)
        persons.append(
            _person(
                rng,
                partner_nat,
                partner_names,
                last_name,
                HouseholdRole.PARTNER,
                adult_born + timedelta(days=rng.randint(-1500, 1500)),
            )
        )
    for _ in range(size - 2):
        persons.append(
            _person(
                rng,
                nationality,
                first_names,
                last_name,
                HouseholdRole.CHILD,
                day - timedelta(days=rng.randint(200, 17 * 365)),
            )
        )
    household_name = f"{last_name} family" if size > 1 else f"{persons[0].first_name} {last_name}"
    return household_name, persons


def seed_demo() -> bool:
    """Create the demo users and caseload unless they exist. Flushes; returns True if added."""
    if db.session.scalar(select(User.id).where(User.email == DEMO_USERS[0][0])):
        return False
    rng = random.Random(2026)  # the same demo every time
    centre = default_centre()
    seed_catalogue(centre)  # before the cases, so each gets its checklist
    staff = {
        email: create_user(centre, email, name, role, DEMO_PASSWORD, locale=None)
        for email, name, role in DEMO_USERS
    }
    lead = staff["lead@example.org"]
    advisors = [u for u in staff.values() if u.role == Role.ADVISOR]
    case_types = centre_case_types(centre.id)
    day = today()
    for number in range(DEMO_CASES):
        household_name, persons = _household(rng, day)
        employer, sector = rng.choice(EMPLOYERS)
        advisor = None if number % 10 == 0 else rng.choice(advisors)
        data = cases.CaseData(
            household_name=household_name,
            case_type_id=rng.choice(case_types).id,
            client_language=rng.choice(list(ClientLanguage)),
            arrival_date=day - timedelta(days=rng.randint(0, 300)),
            municipality=rng.choice(MUNICIPALITIES),
            employer=employer,
            sector=sector,
            referral_channel=rng.choice(list(ReferralChannel)),
            contact_email=f"{household_name.split()[0].lower()}.{number}@example.net",
            contact_phone="+32 470 " + " ".join(str(rng.randint(10, 99)) for _ in range(3)),
            persons=persons,
            legal_basis=LegalBasis.CONSENT,
        )
        case = cases.open_case(centre, advisor or lead, data, advisor.id if advisor else None)
        _spread_over_time(rng, case, data)
        if advisor:
            _add_history(rng, case, advisor, lead, day)
    db.session.flush()
    return True


def _spread_over_time(rng, case: Case, data: cases.CaseData) -> None:
    created = utcnow() - timedelta(days=(today() - data.arrival_date).days - rng.randint(0, 10))
    case.created_at = min(created, utcnow())
    case.updated_at = case.created_at


def _add_history(rng, case: Case, advisor: User, lead: User, day) -> None:
    for body in rng.sample(NOTES, rng.randint(0, 3)):
        add_note(case, advisor, body)
    for title in rng.sample(FOLLOWUPS, rng.randint(0, 2)):
        followup = add_followup(
            case,
            advisor,
            title=title,
            details=None,
            due_date=day + timedelta(days=rng.randint(-10, 21)),
            assignee_id=advisor.id,
        )
        if followup.due_date < day and rng.random() < 0.5:
            close_followup(followup, advisor, FollowUpStatus.DONE)
    roll = rng.random()
    closing = roll >= 0.15 and roll < 0.30
    _work_checklist(rng, case, advisor, day, finish=closing)
    if roll < 0.15:
        cases.change_status(case, advisor, CaseStatus.WAITING_ON_CLIENT)
    elif closing:
        cases.change_status(case, lead, CaseStatus.CLOSED, reason=ClosingReason.COMPLETED)


def _work_checklist(rng, case: Case, advisor: User, day, *, finish: bool) -> None:
    """Tick steps the way an advisor would: most of what was due, some of the rest."""
    items = db.session.scalars(select(ChecklistItem).where(ChecklistItem.case_id == case.id))
    for item in items:
        due = item.due_date
        likely = 0.8 if due is not None and due < day else 0.25
        if finish or rng.random() < likely:
            checklists.set_state(item, advisor, ItemState.DONE)
        elif rng.random() < 0.2:
            checklists.set_state(item, advisor, ItemState.IN_PROGRESS)
