"""A synthetic demo caseload for the default centre. Every name here is invented."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from caseflow.auth.models import Role, User
from caseflow.auth.services import create_user
from caseflow.cases import services as cases
from caseflow.cases.models import (
    Activity,
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
from caseflow.checklists.models import ChecklistEvent, ChecklistItem, ItemState
from caseflow.checklists.seeding import seed_catalogue
from caseflow.contacts import services as contacts
from caseflow.contacts.models import ContactChannel
from caseflow.core.time import BRUSSELS, today, utcnow
from caseflow.events.invitations import token_hash
from caseflow.events.models import (
    Event,
    EventInvitation,
    EventStatus,
    EventType,
    InvitationConsent,
    InvitationStatus,
    WalkIn,
)
from caseflow.extensions import db
from caseflow.followups.models import FollowUp, FollowUpStatus
from caseflow.followups.services import add_followup, close_followup
from caseflow.notes.models import Note
from caseflow.notes.services import add_note
from caseflow.partners.seeding import seed_partners

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
    seed_partners(centre)
    staff = {
        email: create_user(centre, email, name, role, DEMO_PASSWORD, locale=None)
        for email, name, role in DEMO_USERS
    }
    lead = staff["lead@example.org"]
    advisors = [u for u in staff.values() if u.role == Role.ADVISOR]
    case_types = centre_case_types(centre.id)
    day = today()
    seeding_started = utcnow()
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
        clock = _CaseClock(rng, case, data, seeding_started)
        if advisor:
            _add_history(rng, case, advisor, lead, day, clock)
    db.session.flush()
    _seed_contacts(rng, centre, [lead, *advisors], day)
    _seed_events(rng, centre, lead)
    return True


def _evening(days_from_now: int, hour_utc: int = 17) -> datetime:
    """A naive UTC moment ``days_from_now`` days away (negative: in the past)."""
    return datetime.combine(today() + timedelta(days=days_from_now), datetime.min.time()).replace(
        hour=hour_utc
    )


def _demo_event(centre, lead, days: int, status: EventStatus, capacity, **texts) -> Event:
    starts_at = _evening(days)
    event = Event(
        centre_id=centre.id,
        event_type=texts.pop("event_type"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        place=texts.pop("place"),
        capacity=capacity,
        audience_languages="nl,en,fr",
        organiser=centre.name,
        status=status,
        created_by_id=lead.id,
        created_at=min(starts_at, utcnow()) - timedelta(days=30),
        **texts,
    )
    db.session.add(event)
    return event


def _seed_events(rng, centre, lead: User) -> None:
    """Synthetic events: a past language café with its answers and attendance (and two
    walk-ins), an upcoming info session with invitations out, a draft. About half the
    households agreed to invitations (the day their case was opened)."""
    past = _demo_event(
        centre,
        lead,
        -21,
        EventStatus.PUBLISHED,
        25,
        event_type=EventType.LANGUAGE_CAFE,
        place="Library, Main square 1, Hasselt",
        title_nl="Taalcafé",
        title_en="Language café",
        title_fr="Café des langues",
        description_en="Practise Dutch over coffee with neighbours and volunteers.",
        partner_name="Library volunteers",
    )
    upcoming = _demo_event(
        centre,
        lead,
        18,
        EventStatus.PUBLISHED,
        40,
        event_type=EventType.INFO_SESSION,
        place="Town hall, Hasselt",
        title_nl="Infosessie: belastingen in België",
        title_en="Info session: taxes in Belgium",
        title_fr="Séance d'information : les impôts en Belgique",
        description_en="How the Belgian tax return works for newcomers.",
    )
    _demo_event(
        centre,
        lead,
        45,
        EventStatus.DRAFT,
        None,
        event_type=EventType.FAMILY,
        place="City park, Genk",
        title_en="Family picnic",
        title_nl="Gezinspicknick",
    )
    db.session.flush()
    cases = list(
        db.session.scalars(
            select(Case).where(Case.centre_id == centre.id, Case.status != CaseStatus.CLOSED)
        )
    )
    consenting = []
    for case in cases:
        if rng.random() < 0.5:
            db.session.add(
                InvitationConsent(
                    case_id=case.id,
                    given_at=case.created_at + timedelta(minutes=20),
                    given_by_id=lead.id,
                )
            )
            consenting.append(case)
    for event, answers in (
        (past, [InvitationStatus.REGISTERED] * 9 + [InvitationStatus.DECLINED] * 3),
        (upcoming, [InvitationStatus.REGISTERED] * 5 + [InvitationStatus.DECLINED] * 2),
    ):
        # Invited two weeks before (and answered within five days), all in the past.
        invited_at = min(event.starts_at - timedelta(days=14), utcnow() - timedelta(days=6))
        eligible = [c for c in consenting if c.created_at < invited_at - timedelta(days=1)]
        chosen = rng.sample(eligible, min(len(eligible), 20))
        for index, case in enumerate(chosen):
            status = answers[index] if index < len(answers) else InvitationStatus.INVITED
            came = event is past and status == InvitationStatus.REGISTERED and index % 4 != 3
            people = rng.randint(1, 4) if status == InvitationStatus.REGISTERED else None
            db.session.add(
                EventInvitation(
                    event_id=event.id,
                    case_id=case.id,
                    token_hash=token_hash(f"demo-{event.id}-{case.id}-{rng.random()}"),
                    language=case.client_language.value,
                    status=status,
                    people=people,
                    invited_at=invited_at,
                    invited_by_id=lead.id,
                    responded_at=(
                        invited_at + timedelta(days=rng.randint(1, 5))
                        if status != InvitationStatus.INVITED
                        else None
                    ),
                    attended_at=event.starts_at + timedelta(minutes=10) if came else None,
                    attended_people=people if came else None,
                )
            )
    for first, last in (("Nour", "Demo-Haddad"), ("Tomasz", "Demo-Lewicki")):
        db.session.add(
            WalkIn(
                event_id=past.id,
                name=f"{first} {last}",
                people=rng.randint(1, 3),
                added_at=past.starts_at + timedelta(minutes=15),
                added_by_id=lead.id,
            )
        )
    db.session.flush()


DEMO_CONTACTS = 48
CONTACT_CHANNELS = {  # how often each channel is used
    ContactChannel.PHONE: 40,
    ContactChannel.EMAIL: 25,
    ContactChannel.WALK_IN: 15,
    ContactChannel.EVENT: 8,
    ContactChannel.WEBSITE: 7,
    ContactChannel.SOCIAL_MEDIA: 5,
}
CONTACT_NOTES = [
    "Asked which health fund to join; explained the choice.",
    "Wanted to know how long the single permit takes.",
    "Looking for a rental flat near the campus.",
    "Asked about Dutch lessons in the evening.",
    "Partner looks for work in logistics.",
]


def _seed_contacts(rng, centre, staff: list[User], day) -> None:
    """A few dozen first-line contacts over the last six months (synthetic): mostly
    anonymous phone questions; a few with a name, some turned into one of the cases."""
    topics = contacts.centre_topics(centre.id)
    case_ids = list(db.session.scalars(select(Case.id).where(Case.centre_id == centre.id)))
    channels, weights = zip(*CONTACT_CHANNELS.items(), strict=True)
    for number in range(DEMO_CONTACTS):
        nationality, first_names, last_names = rng.choice(PEOPLE)
        named = rng.random() < 0.2
        contact = contacts.log_contact(
            rng.choice(staff),
            contacts.ContactData(
                channel=rng.choices(channels, weights=weights)[0],
                topic_ids=[t.id for t in rng.sample(topics, rng.choice([1, 1, 1, 2]))],
                minutes=rng.choice([2, 3, 5, 5, 10, 15, 20, 30]),
                contact_date=day - timedelta(days=rng.randint(0, 180)),
                nationality=nationality if rng.random() < 0.6 else None,
                municipality=rng.choice(MUNICIPALITIES) if rng.random() < 0.5 else None,
                name=f"{rng.choice(first_names)} {rng.choice(last_names)}" if named else None,
                note=rng.choice(CONTACT_NOTES) if rng.random() < 0.3 else None,
            ),
        )
        noon = datetime.combine(contact.contact_date, datetime.min.time()) + timedelta(hours=11)
        contact.created_at = min(noon, utcnow())
        if number % 8 == 0 and case_ids:  # some became a case
            contact.case_id = rng.choice(case_ids)
            contact.converted_at = contact.created_at
        elif number % 5 == 1 and case_ids:  # a client calling about their case
            contact.case_id = rng.choice(case_ids)
    db.session.flush()


class _CaseClock:
    """Dates what the demo does to a case along the case's life, not at seeding time.

    The case opens a few days after the family's arrival (consent is recorded that day);
    every later action happens at a later moment before now. After each action, every
    timestamp of the case still at seeding time (the rows that action wrote: timeline,
    notes, follow-ups, checklist history, status) is moved to that moment.
    """

    def __init__(self, rng, case: Case, data: cases.CaseData, seeding_started: datetime):
        self.rng, self.case, self.seeding_started = rng, case, seeding_started
        now = utcnow()
        opened = now - timedelta(days=(today() - data.arrival_date).days - rng.randint(0, 10))
        self.moment = min(opened, now - timedelta(hours=1))
        case.consent_on = self.moment.replace(tzinfo=UTC).astimezone(BRUSSELS).date()
        self.stamp()

    def tick(self) -> datetime:
        """A later moment, still before now: the next action happens then."""
        left = (utcnow() - self.moment).total_seconds()
        self.moment += timedelta(seconds=self.rng.uniform(0.05, 0.4) * left)
        return self.moment

    def stamp(self) -> None:
        """Move every timestamp of the case written since seeding began to the moment."""
        db.session.flush()
        case, when, fresh = self.case, self.moment, self.seeding_started
        columns = [
            (Activity.created_at, Activity.case_id == case.id),
            (Note.created_at, Note.case_id == case.id),
            (FollowUp.created_at, FollowUp.case_id == case.id),
            (FollowUp.completed_at, FollowUp.case_id == case.id),
            (ChecklistItem.created_at, ChecklistItem.case_id == case.id),
            (ChecklistItem.updated_at, ChecklistItem.case_id == case.id),
            (ChecklistItem.completed_at, ChecklistItem.case_id == case.id),
            (
                ChecklistEvent.created_at,
                ChecklistEvent.item_id.in_(
                    select(ChecklistItem.id).where(ChecklistItem.case_id == case.id)
                ),
            ),
        ]
        for column, of_case in columns:
            db.session.execute(
                update(column.class_).where(of_case, column >= fresh).values({column.key: when}),
                execution_options={"synchronize_session": False},
            )
        for name in ("created_at", "updated_at", "status_changed_at", "closed_at"):
            value = getattr(case, name)
            if value is not None and value >= fresh:
                setattr(case, name, when)
        # Rows loaded in this session keep their old value in memory; nothing reads it
        # again, and a flush writes only changed columns, so the new dates stay.


def _add_history(rng, case: Case, advisor: User, lead: User, day, clock: _CaseClock) -> None:
    for body in rng.sample(NOTES, rng.randint(0, 3)):
        clock.tick()
        add_note(case, advisor, body)
        clock.stamp()
    for title in rng.sample(FOLLOWUPS, rng.randint(0, 2)):
        clock.tick()
        followup = add_followup(
            case,
            advisor,
            title=title,
            details=None,
            due_date=day + timedelta(days=rng.randint(-10, 21)),
            assignee_id=advisor.id,
        )
        clock.stamp()
        if followup.due_date < day and rng.random() < 0.5:
            clock.tick()
            close_followup(followup, advisor, FollowUpStatus.DONE)
            clock.stamp()
    roll = rng.random()
    closing = roll >= 0.15 and roll < 0.30
    _work_checklist(rng, case, advisor, day, clock, finish=closing)
    if roll < 0.15:
        clock.tick()
        cases.change_status(case, advisor, CaseStatus.WAITING_ON_CLIENT)
        clock.stamp()
    elif closing:
        clock.tick()
        cases.change_status(case, lead, CaseStatus.CLOSED, reason=ClosingReason.COMPLETED)
        clock.stamp()


def _work_checklist(rng, case: Case, advisor: User, day, clock: _CaseClock, *, finish: bool):
    """Tick steps the way an advisor would: most of what was due, some of the rest, in
    a few sittings along the case's life."""
    items = db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.case_id == case.id).order_by(ChecklistItem.id)
    ).all()
    clock.tick()
    for item in items:
        due = item.due_date
        likely = 0.8 if due is not None and due < day else 0.25
        if rng.random() < 0.3:
            clock.stamp()  # what was ticked so far happened then; a later sitting follows
            clock.tick()
        if finish or rng.random() < likely:
            checklists.set_state(item, advisor, ItemState.DONE)
        elif rng.random() < 0.2:
            checklists.set_state(item, advisor, ItemState.IN_PROGRESS)
    clock.stamp()
