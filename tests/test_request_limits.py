"""Finding 2: request size limit (MAX_CONTENT_LENGTH, a friendly 413 page, the body is not
read), and a refused form never shows more of a value than the field's maximum length."""

import io
import re

import pytest

from caseflow.notes.forms import NOTE_MAX_LENGTH
from tests.conftest import db_digest, person

TWO_MB = 2 * 1024 * 1024


@pytest.fixture
def advisor(make_user):
    return make_user("advisor", name="Arne Advisor")


@pytest.fixture
def web(client_for, advisor):
    return client_for(advisor)


@pytest.fixture
def case(make_case, advisor):
    return make_case(advisor, household_name="Silva family", persons=[person()])


class CountingStream(io.RawIOBase):
    """A request body of ``size`` bytes that counts how much of it the app reads."""

    def __init__(self, size: int):
        self.size = size
        self.position = 0
        self.read_bytes = 0

    def readable(self):
        return True

    def seekable(self):
        return True  # the test client measures the body by seeking to its end

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence]
        self.position = base + offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        n = max(min(len(buffer), self.size - self.position), 0)
        buffer[:n] = b"a" * n
        self.position += n
        self.read_bytes += n
        return n


def test_the_limit_is_two_megabytes(app):
    assert app.config["MAX_CONTENT_LENGTH"] == TWO_MB


def test_a_3_mb_note_gets_the_413_page_and_nothing_is_stored(web, case, security_figures):
    before = db_digest()
    tried = answered_413 = 0
    for body in ("x" * (3 * 1024 * 1024), "y" * (TWO_MB + 1)):
        response = web.post_form(f"/cases/{case.id}/notes", {"body": body})
        tried += 1
        answered_413 += response.status_code == 413
        page = response.get_data(as_text=True)
        assert response.status_code == 413
        assert "This is too much to send at once" in page
        assert "at most 2 MB" in page
        assert "xxxxxxxxxx" not in page and "yyyyyyyyyy" not in page
        assert "<h1" in page and 'lang="en"' in page
    assert db_digest() == before
    security_figures.record("Oversized requests answered 413", answered_413, expected=tried)


def test_the_413_page_is_translated(web, case):
    web.post_form("/language", {"locale": "nl"})
    response = web.post_form(f"/cases/{case.id}/notes", {"body": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "This is too much to send at once" not in page
    assert 'lang="nl"' in page


@pytest.mark.parametrize("logged_in", [True, False], ids=["advisor", "anonymous"])
def test_a_100_mb_body_is_refused_without_being_read(
    client, web, case, logged_in, security_figures
):
    size = 100 * 1024 * 1024
    stream = CountingStream(size)
    target = web if logged_in else client
    url = f"/cases/{case.id}/notes" if logged_in else "/login"
    response = target.post(
        url,
        input_stream=stream,
        content_length=size,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert "This is too much to send at once" in response.get_data(as_text=True)
    assert stream.read_bytes == 0, f"{stream.read_bytes} bytes of the body were read"
    security_figures.record("Oversized requests answered 413", 1, expected=1)


def test_a_body_under_the_limit_is_still_accepted(web, case):
    response = web.post_form(f"/cases/{case.id}/notes", {"body": "Called the client."})
    assert response.status_code == 302


@pytest.mark.parametrize("length", [NOTE_MAX_LENGTH + 1, 50_000, 400_000])
def test_a_refused_note_is_not_echoed_beyond_its_maximum(web, case, length):
    before = db_digest()
    response = web.post_form(f"/cases/{case.id}/notes", {"body": "z" * length})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Field cannot be longer than 10000 characters." in page
    longest = max((len(run) for run in re.findall("z+", page)), default=0)
    assert longest <= NOTE_MAX_LENGTH
    assert db_digest() == before


def test_every_refused_field_is_cut_to_its_maximum(web, case):
    """Generic (the base form): a new case with every text field far too long."""
    from tests.forms_helpers import first_case_type, new_case_form

    before = db_digest()
    huge = "q" * 20_000
    data = new_case_form(
        first_case_type(case.centre_id).id,
        {
            "household_name": huge,
            "municipality": huge,
            "employer": huge,
            "contact_email": huge,
            "arrival_date": huge,
            "persons-0-first_name": huge,
            "persons-0-date_of_birth": huge,
        },
    )
    response = web.post_form("/cases/new", data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    longest = max(len(run) for run in re.findall("q+", page))
    assert longest <= 254, longest
    assert db_digest() == before
