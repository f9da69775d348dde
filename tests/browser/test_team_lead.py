"""A team lead's Monday: the overview, a reassignment, a review, the Excel report."""

import io

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from caseflow.cases.models import Activity, ActivityKind, Case
from caseflow.extensions import db
from caseflow.reviews.models import ReviewRequest, ReviewStatus
from caseflow.reviews.services import request_review
from tests.browser.conftest import CHROMIUM, release_db
from tests.browser.test_main_flows import flash, log_in
from tests.conftest import person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed"),
]


def test_a_team_lead_runs_the_monday_review(page: Page, make_staff, make_user, make_case):
    lead = make_staff("team_lead", name="Lotte Lead")
    away = make_user("advisor", name="Ann Away")
    cover = make_staff("advisor", name="Carl Cover")
    first = make_case(away, household_name="Moreau family", persons=[person("Jeanne")])
    second = make_case(away, household_name="Okafor family", persons=[person("Chidi")])
    review = request_review(second, away, "Is the health fund choice right?")
    db.session.commit()
    first_id, second_id, review_id = first.id, second.id, review.id
    first_ref = first.reference
    release_db()

    log_in(page, lead)
    page.get_by_role("link", name="Team").click()
    overview = page.get_by_role("table")
    row = overview.get_by_role("row", name="Ann Away")
    expect(row).to_contain_text("2")
    # The number of open cases opens the filtered case list.
    row.get_by_role("link", name="2").first.click()
    expect(page.get_by_text("2 cases")).to_be_visible()

    # Ann is on leave: her first case goes to Carl.
    page.goto("/team/reassign")
    page.get_by_label("Cases of").select_option(label="Ann Away")
    page.get_by_role("button", name="Show their cases").click()
    page.get_by_label(f"{first_ref} · Moreau family").check()
    page.get_by_label("Give them to").select_option(label="Carl Cover")
    page.get_by_role("button", name="Reassign").click()
    expect(flash(page)).to_contain_text("1 case reassigned.")

    # The review queue: approve with a comment.
    page.get_by_role("link", name="Reviews").click()
    page.get_by_label("Comment for the advisor").fill("Yes, the choice is right.")
    page.get_by_role("button", name="Approve").click()
    expect(flash(page)).to_contain_text("Approved.")
    expect(page.get_by_text("No requests waiting.")).to_be_visible()

    # The quarterly funder report, as Excel.
    page.get_by_role("link", name="Funder report").click()
    page.get_by_label("Period", exact=True).select_option(label="Year")
    page.get_by_role("button", name="Show").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download Excel").click()
    download = info.value
    assert download.suggested_filename.startswith("funder-report-") and (
        download.suggested_filename.endswith(".xlsx")
    )
    sheet = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes())).active
    values = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=5, values_only=True)}
    assert values[("Cases and persons", "New cases")] == "<5"  # two cases: suppressed

    db.session.expire_all()
    assert db.session.get(Case, first_id).advisor_id == cover.id
    assert db.session.get(Case, second_id).advisor_id == away.id
    answered = db.session.get(ReviewRequest, review_id)
    assert answered.status == ReviewStatus.APPROVED and answered.reviewer_id == lead.id
    assert answered.response == "Yes, the choice is right."
    kinds = db.session.scalars(
        select(Activity.kind).where(Activity.case_id == first_id).order_by(Activity.id)
    ).all()
    assert kinds[-1] == ActivityKind.ASSIGNED
