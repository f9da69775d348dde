"""The second factor end to end in a real browser, with the app's CSP enforced: enrol from
the profile (QR code and key), see the recovery codes once, log out, log in with the
password and a code from the "phone" (pyotp)."""

import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import CHROMIUM, Staff
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]

CODE_LABEL = "Code from your authenticator app, or a recovery code"


def password_step(page: Page, user: Staff) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def enrol(page: Page) -> tuple[str, list[str]]:
    """From the profile: scan (read the key), confirm with a code; returns key and codes."""
    page.goto("/profile")
    page.get_by_role("link", name="Set up a second factor").click()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Code shown by the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1, name="Your recovery codes")).to_be_visible()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    return secret, codes


def test_enrol_log_out_and_log_in_with_a_code(page: Page, make_staff):
    csp_problems: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    user = make_staff("advisor", name="Tess Totp")
    password_step(page, user)
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()

    secret, codes = enrol(page)
    assert len(codes) == 10 and len(set(codes)) == 10
    page.get_by_role("link", name="I have saved them").click()
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", level=1, name="Log in to Caseflow")).to_be_visible()

    password_step(page, user)
    expect(page.get_by_role("heading", level=1, name="Enter your code")).to_be_visible()
    # Straight to a page without the code: back to the login page.
    page.goto("/cases")
    expect(page.get_by_role("heading", level=1, name="Log in to Caseflow")).to_be_visible()
    page.goto("/login/code")
    # The enrolment used this window's code, which is never accepted again: the phone's
    # next code is (one window ahead is allowed for clock drift).
    page.get_by_label(CODE_LABEL).fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name="My work")).to_be_visible()
    expect(page.get_by_role("link", name=user.name)).to_be_visible()

    # The recovery codes were shown once: the profile counts them, never shows them.
    page.goto("/profile")
    expect(page.get_by_text("You have 10 unused recovery codes.")).to_be_visible()
    assert codes[0] not in page.content()
    expect(page.get_by_text("This session")).to_be_visible()
    assert csp_problems == []
