"""Labels of the contacts' stored values (pages, the funder report)."""

from flask_babel import lazy_gettext as _l

from caseflow.contacts.models import ContactChannel

CHANNEL = {
    ContactChannel.PHONE: _l("Phone"),
    ContactChannel.EMAIL: _l("Email"),
    ContactChannel.WALK_IN: _l("Walk-in"),
    ContactChannel.EVENT: _l("Event"),
    ContactChannel.WEBSITE: _l("Website"),
    ContactChannel.SOCIAL_MEDIA: _l("Social media"),
}
