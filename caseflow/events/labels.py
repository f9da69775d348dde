"""Labels of the event enums (staff pages: English and Dutch)."""

from flask_babel import lazy_gettext as _l

from caseflow.events.models import EventStatus, EventType

EVENT_TYPE = {
    EventType.INFO_SESSION: _l("Info session"),
    EventType.LANGUAGE_CAFE: _l("Language café"),
    EventType.NETWORKING: _l("Networking"),
    EventType.FAMILY: _l("Family activity"),
    EventType.OTHER: _l("Other"),
}

EVENT_STATUS = {
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.CANCELLED: _l("Cancelled"),
}

LANGUAGE = {"nl": _l("Dutch"), "en": _l("English"), "fr": _l("French")}
