"""The funder report as labelled tables (page and exports) and SVG charts."""

import base64
import functools
from dataclasses import dataclass
from datetime import date

import pygal
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pygal.style import Style
from sqlalchemy import select

from caseflow.cases import labels
from caseflow.cases.queries import centre_case_types
from caseflow.contacts.labels import CHANNEL
from caseflow.contacts.models import ContactTopic
from caseflow.core.countries import country_name
from caseflow.events import labels as event_labels
from caseflow.events.models import EventType
from caseflow.extensions import db
from caseflow.partners import labels as partner_labels
from caseflow.reports.funder import FunderReport

KEY_STEP_LABELS = {
    "registration": _l("Municipal registration"),
    "health_fund": _l("Health fund"),
    "bank_account": _l("Bank account"),
}

# Colours with at least 3:1 contrast on white (WCAG 1.4.11 for graphics).
CHART_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1d4e6b", "#b3471b", "#1e6b3a", "#6b4e00", "#5b3c88"),
    font_family="DejaVu Sans, sans-serif",
)


@dataclass
class Table:
    key: str
    title: str
    rows: list[tuple[str, int]]
    chart: bool = True
    # Rows that add up to a total shown elsewhere: one hidden count could be worked out
    # from the others, so exports hide a second one too.
    partition: bool = True
    # Rows whose label itself could point at someone (a rare sector, town or country):
    # exports merge the small ones into one "other" row.
    merge_small: bool = False
    # Labels of rows that describe nobody in particular ("Age unknown", "Unknown" town,
    # the merged "Other" rows): dropped when empty, and the first choice when a second
    # count must be hidden (see protected_rows).
    residual: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # An empty "unknown" row tells a funder nothing, and as a "<5" it would force
        # a second, real figure to be hidden.
        self.rows = [(label, n) for label, n in self.rows if n or label not in self.residual]


@dataclass
class KeyStepRow:
    label: str
    applicable: int
    done: int
    share: float | None
    median_days: float | None


def _topic_names(centre_id: int, locale: str) -> dict[int, str]:
    query = select(ContactTopic).where(ContactTopic.centre_id == centre_id)
    return {t.id: t.name(locale) for t in db.session.scalars(query)}


def contact_tables(report: FunderReport, centre_id: int, locale: str) -> list[Table]:
    """First-line contacts: the total and how many became a case, by month, channel and
    topic (a contact with two topics counts under both: no partition of the total)."""
    topic_names = _topic_names(centre_id, locale) if report.contact_topics else {}
    return [
        Table(
            "contacts",
            _("First-line contacts"),
            [
                (_("Contacts"), report.contacts),
                (_("Turned into a case"), report.contacts_converted),
            ],
            chart=False,
            partition=False,
        ),
        Table(
            "contact_months",
            _("Contacts by month"),
            [(_month_label(month), n) for month, n in report.contact_months],
            chart=False,
        ),
        Table(
            "contact_channels",
            _("Contacts by channel"),
            [(str(CHANNEL.get(c, c)), n) for c, n in report.contact_channels],
        ),
        Table(
            "contact_topics",
            _("Contacts by topic"),
            [(topic_names.get(t, str(t)), n) for t, n in report.contact_topics],
            partition=False,
        ),
    ]


def _month_label(month: str) -> str:
    year, number = month.split("-")
    return format_date(date(int(year), int(number), 1), "LLLL yyyy")


def contact_share(report: FunderReport) -> str:
    """The share of contacts turned into a case, as the page shows it (exact)."""
    share = report.contacts_share_converted
    return HIDDEN if share is None else f"{round(100 * share)}%"


def protected_contact_share(report: FunderReport) -> str:
    """The share as exported: only when both those turned into a case and the others
    are at least the threshold (else the share gives a small count away)."""
    limit = threshold()
    clear = (
        report.contacts_converted >= limit and report.contacts - report.contacts_converted >= limit
    )
    return contact_share(report) if clear else HIDDEN


def event_share(report: FunderReport) -> str:
    """The share of new arrivals who attended at least one event, as the page shows it
    (exact); "–" without new arrivals or events."""
    figures = report.events
    if figures is None or not figures.new_arrivals:
        return HIDDEN
    return f"{round(100 * figures.new_arrivals_attended / figures.new_arrivals)}%"


def protected_event_share(report: FunderReport) -> str:
    """The share as exported: only when both the new arrivals who attended and those who
    did not are at least the threshold (else the share gives a small count away)."""
    figures = report.events
    if figures is None:
        return HIDDEN
    limit = threshold()
    attended = figures.new_arrivals_attended
    clear = attended >= limit and figures.new_arrivals - attended >= limit
    return event_share(report) if clear else HIDDEN


def tables(report: FunderReport, centre_id: int, locale: str) -> list[Table]:
    type_names = {t.id: t.name(locale) for t in centre_case_types(centre_id)}
    unknown = _("Unknown")
    return [
        Table(
            "summary",
            _("Cases and persons"),
            [
                (_("New cases"), report.new_cases),
                (_("Closed cases"), report.closed_cases),
                (_("Cases served"), report.served_cases),
                (_("Persons served"), report.persons),
            ],
            chart=False,
            partition=False,
        ),
        Table(
            "ages",
            _("Persons by age"),
            [
                (_("Adults (18 and over)"), report.adults),
                (_("Children"), report.children),
                (_("Age unknown"), report.age_unknown),
            ],
            chart=False,
            residual=(_("Age unknown"),),
        ),
        Table(
            "closing_reasons",
            _("Reasons for closing"),
            [(str(labels.CLOSING_REASON.get(r, r)), n) for r, n in report.closing_reasons],
        ),
        Table(
            "nationalities",
            _("Nationality (persons, top countries)"),
            [
                (_("Other countries") if code == "other" else country_name(code, locale), n)
                for code, n in report.nationalities
            ],
            merge_small=True,
            residual=(_("Other countries"),),
        ),
        Table(
            "nationality_groups",
            _("EU/EEA/Swiss or third country (persons)"),
            [
                (_("EU/EEA/Swiss") if group == "eu" else _("Third country"), n)
                for group, n in report.nationality_groups
            ],
        ),
        Table(
            "case_types",
            _("Case type"),
            [(type_names.get(type_id, str(type_id)), n) for type_id, n in report.case_types],
        ),
        Table(
            "municipalities",
            _("Municipality"),
            [(m if m != "unknown" else unknown, n) for m, n in report.municipalities],
            merge_small=True,
            residual=(unknown,),
        ),
        Table(
            "sectors",
            _("Employer sector"),
            [(m if m != "unknown" else unknown, n) for m, n in report.sectors],
            merge_small=True,
            residual=(unknown,),
        ),
        *event_tables(report),
        Table(
            "referral_channels",
            _("Referral channel"),
            [
                (str(labels.REFERRAL_CHANNEL.get(c, unknown)), n)
                for c, n in report.referral_channels
            ],
            residual=(unknown,),
        ),
        Table(
            "referral_partner_types",
            _("Referrals to partners, by partner type"),
            [(str(partner_labels.PARTNER_TYPE.get(t, t)), n) for t, n in report.referral_types],
        ),
        Table(
            "referral_outcomes",
            _("Referrals to partners, by outcome"),
            [
                (str(partner_labels.REFERRAL_OUTCOME.get(o, o)), n)
                for o, n in report.referral_outcomes
            ],
        ),
        *contact_tables(report, centre_id, locale),
    ]


def event_tables(report: FunderReport) -> list[Table]:
    """The welcome community's events (caseflow/events): totals, by type and by month."""
    figures = report.events
    if figures is None:
        return []
    type_labels = event_labels.EVENT_TYPE
    return [
        Table(
            "events",
            _("Events"),
            [
                (_("Events held"), figures.total.events),
                (_("Invitations sent"), figures.total.invitations),
                (_("Registrations (households)"), figures.total.registrations),
                (_("Attendance (people)"), figures.total.attendance),
                (_("New arrivals in the period (households)"), figures.new_arrivals),
                # Not "who attended" as a count next to the total: a small count would
                # follow by subtraction. The share comes after the table (event_share).
            ],
            chart=False,
            partition=False,
        ),
        Table(
            "events_by_type",
            _("Attendance by event type (people)"),
            [(str(type_labels[EventType(t)]), c.attendance) for t, c in figures.by_type.items()],
        ),
        Table(
            "event_registrations_by_type",
            _("Registrations by event type (households)"),
            [(str(type_labels[EventType(t)]), c.registrations) for t, c in figures.by_type.items()],
        ),
        Table(
            "event_invitations_by_type",
            _("Invitations by event type"),
            [(str(type_labels[EventType(t)]), c.invitations) for t, c in figures.by_type.items()],
        ),
        Table(
            "events_by_month",
            _("Attendance by month (people)"),
            [(month, c.attendance) for month, c in figures.by_month.items()],
        ),
    ]


def key_step_rows(report: FunderReport) -> list[KeyStepRow]:
    return [
        KeyStepRow(
            str(KEY_STEP_LABELS.get(s.key, s.key)), s.applicable, s.done, s.share, s.median_days
        )
        for s in report.key_steps
    ]


HIDDEN = "–"


def threshold() -> int:
    return current_app.config["REPORT_SUPPRESS_BELOW"]


def suppress(count: int) -> int | str:
    """Exported counts below the threshold become "<5", so nobody can be recognised."""
    return f"<{threshold()}" if count < threshold() else count


def protected_rows(table: Table) -> list[tuple[str, int | str]]:
    """A table's rows as exported: small counts "<5", and no way to work them out.

    - rows whose label could point at someone are merged into one "other" row;
    - empty "unknown" rows are left out (Table drops them);
    - in a partition of a total, a lone suppressed count would follow from the total
      minus the others, so a second count is hidden ("–") as well, unless working it
      out tells nothing about anyone: a count of 0 describes nobody, and a residual row
      ("Age unknown", "Unknown", "Other …") carries no attribute that could single
      someone out. The second count hidden is a residual row if the table has one
      (a funder does not need "unknown"), else the smallest other count, so the
      large figures a funder reports (44 children) stay visible.
    """
    limit = threshold()
    rows = list(table.rows)
    residual = set(table.residual)
    if table.merge_small:
        small = [count for _label, count in rows if count < limit]
        rows = [(label, count) for label, count in rows if count >= limit]
        if small:
            other = _("Other (fewer than %(n)d each)", n=limit)
            rows.append((other, sum(small)))
            residual.add(other)
    suppressed = {i for i, (_label, count) in enumerate(rows) if count < limit}
    hidden = set()
    if table.partition and len(suppressed) == 1 and len(rows) > 1:
        (lone,) = suppressed
        label, count = rows[lone]
        if count and label not in residual:
            others = [i for i in range(len(rows)) if i != lone]
            complements = [i for i in others if rows[i][0] in residual] or others
            hidden.add(min(complements, key=lambda i: rows[i][1]))
    return [
        (label, suppress(count) if i in suppressed else HIDDEN if i in hidden else count)
        for i, (label, count) in enumerate(rows)
    ]


def protected_step(row: KeyStepRow) -> tuple:
    """(applicable, done, share, median) as exported. Done and the share are shown only
    when both done and not done are at least the threshold: otherwise either would
    give away the other through the applicable count."""
    limit = threshold()
    clear = row.done >= limit and row.applicable - row.done >= limit
    done = row.done if clear else HIDDEN
    share = f"{round(100 * row.share)}%" if clear and row.share is not None else HIDDEN
    median = f"{row.median_days:g}" if row.median_days is not None and row.done >= limit else HIDDEN
    return suppress(row.applicable), done, share, median


def chart(table: Table) -> str | None:
    """A horizontal bar chart of a table as a data: URI (an <img>: no script, no CSP issue)."""
    if not table.chart or not table.rows:
        return None
    return _chart(table.title, tuple(table.rows))


@functools.lru_cache(maxsize=256)
def _chart(title: str, rows: tuple[tuple[str, int], ...]) -> str:
    """The chart of these labels and counts: pygal takes ~10 ms a chart, a dozen a page,
    and the same figures (stored by the worker for 15 minutes) give the same SVG, so the
    charts are drawn once per process and figures (a few MB at most: 256 charts)."""
    bar = pygal.HorizontalBar(
        style=CHART_STYLE,
        js=[],  # no scripts in the SVG
        show_legend=False,
        width=640,
        height=max(160, 34 * len(rows) + 60),
        print_values=True,
        disable_xml_declaration=False,
        explicit_size=True,
    )
    bar.title = title
    bar.x_labels = [label for label, _n in reversed(rows)]
    bar.add(title, [n for _label, n in reversed(rows)])
    svg = bar.render()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
