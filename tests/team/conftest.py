"""The team pages' tests also need the real SMTP server of the mail tests."""

from tests.mail.conftest import smtp  # noqa: F401 - a fixture, used by test_digest.py
