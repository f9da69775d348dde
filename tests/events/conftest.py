from tests.mail.conftest import smtp  # noqa: F401  (a real SMTP server for the invitations)
