from tests.events.test_invitations import households  # noqa: F401  (households to invite)
from tests.mail.conftest import smtp  # noqa: F401  (a real SMTP server for the invitations)
