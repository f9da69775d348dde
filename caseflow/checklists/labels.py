"""Translated labels for checklist enums and rule descriptions."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from caseflow.checklists.models import (
    Category,
    DeadlineKind,
    ItemState,
    NationalityGroup,
    Scope,
    TemplateItem,
)

CATEGORY = {
    Category.RESIDENCE: _l("Residence"),
    Category.WORK: _l("Work"),
    Category.HEALTH: _l("Health"),
    Category.MONEY: _l("Money"),
    Category.FAMILY_SCHOOL: _l("Family and school"),
    Category.INTEGRATION: _l("Integration"),
    Category.MOBILITY: _l("Mobility"),
    Category.TAX: _l("Tax"),
}
STATE = {
    ItemState.TODO: _l("To do"),
    ItemState.IN_PROGRESS: _l("In progress"),
    ItemState.WAITING_ON_CLIENT: _l("Waiting on client"),
    ItemState.DONE: _l("Done"),
    ItemState.NOT_APPLICABLE: _l("Not applicable"),
}
SCOPE = {
    Scope.PERSON: _l("Each matching person"),
    Scope.HOUSEHOLD: _l("The whole household (one step per case)"),
}
NATIONALITY_GROUP = {
    NationalityGroup.EU: _l("EU/EEA/Swiss citizens"),
    NationalityGroup.THIRD_COUNTRY: _l("Third-country nationals"),
}
DEADLINE_KIND = {
    DeadlineKind.NONE: _l("No deadline"),
    DeadlineKind.CALENDAR_DAYS: _l("N calendar days after arrival"),
    DeadlineKind.WORKING_DAYS: _l("N working days after arrival (Belgian holidays excluded)"),
    DeadlineKind.MONTHS: _l("N months after arrival"),
    DeadlineKind.YEAR_TURNING: _l("From 1 January of the year the person turns N"),
    DeadlineKind.SCHOOL_START: _l("From 1 September of the year the child turns N"),
    DeadlineKind.EXPIRY_WINDOW: _l("A window from N to M months before an expiry date"),
}


def describe_deadline(item: TemplateItem) -> str:
    """The deadline rule in words, e.g. "8 working days after arrival"."""
    n, m = item.deadline_value or 0, item.deadline_value_to or 0
    match item.deadline_kind:
        case DeadlineKind.CALENDAR_DAYS:
            return ngettext("%(num)d day after arrival", "%(num)d days after arrival", n)
        case DeadlineKind.WORKING_DAYS:
            return ngettext(
                "%(num)d working day after arrival", "%(num)d working days after arrival", n
            )
        case DeadlineKind.MONTHS:
            return ngettext("%(num)d month after arrival", "%(num)d months after arrival", n)
        case DeadlineKind.YEAR_TURNING:
            return _("from 1 January of the year the person turns %(n)d", n=n)
        case DeadlineKind.SCHOOL_START:
            return _("from 1 September of the year the child turns %(n)d", n=n)
        case DeadlineKind.EXPIRY_WINDOW:
            # The unit follows the larger number: "between 0 and 1 month", "1 and 3 months".
            return ngettext(
                "between %(n)d and %(num)d month before the expiry date",
                "between %(n)d and %(num)d months before the expiry date",
                m,
                n=n,
            )
    return _("no deadline")
