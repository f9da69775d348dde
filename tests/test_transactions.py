"""The unit-of-work helper every route finishes its writes with."""

import pytest
from flask import get_flashed_messages

from caseflow.core.errors import ConflictError, DomainError
from caseflow.core.transactions import unit_of_work
from caseflow.extensions import db
from tests.conftest import reload


def test_success_commits_and_flashes_nothing(app, centre):
    with app.test_request_context():
        with unit_of_work() as work:
            centre.name = "Renamed"
        assert not work.failed and work.status == 200
        assert get_flashed_messages() == []
    db.session.expire_all()
    assert reload(type(centre), centre.id).name == "Renamed"


@pytest.mark.parametrize(
    ("error", "status"), [(DomainError("No."), 400), (ConflictError("Late."), 409)]
)
def test_a_refusal_rolls_back_and_flashes_it(app, centre, error, status):
    db.session.commit()
    before = centre.name
    with app.test_request_context():
        with unit_of_work("warning") as work:
            centre.name = "Never stored"
            raise error
        assert work.error is error and work.status == status
        assert get_flashed_messages(with_categories=True) == [("warning", str(error))]
    assert reload(type(centre), centre.id).name == before


def test_flash_none_and_a_narrow_catch(app, centre):
    with app.test_request_context():
        with unit_of_work(None, catch=ConflictError) as work:
            raise ConflictError("Late.")
        assert work.failed and get_flashed_messages() == []
        with pytest.raises(DomainError), unit_of_work(catch=ConflictError):
            raise DomainError("Not caught: propagates.")
