"""The one way a route finishes its write: commit on success, roll back on refusal.

```python
with unit_of_work() as work:                 # flashes the refusal as "danger"
    services.update_case(case, current_user, data, version)
if work.failed:
    return render_template("cases/edit.html", ...), work.status   # 400 or 409
flash(_("Case saved."), "success")
```

Services flush and never commit; the route wraps its service calls in one
``unit_of_work``. A ``DomainError`` (or the narrower ``catch``) rolls the session back,
is flashed with ``flash_category`` (``None``: not flashed, e.g. when the route shows it
on a form field or as JSON) and is kept on ``work.error``; any other exception
propagates untouched. Without an error the session is committed on leaving the block.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import flash

from caseflow.core.errors import DomainError, http_status
from caseflow.extensions import db


class Work:
    """The outcome of a ``unit_of_work`` block."""

    error: DomainError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def status(self) -> int:
        """The HTTP status for the outcome: 200, or 409 for a conflict and 400 otherwise."""
        return 200 if self.error is None else http_status(self.error)


@contextmanager
def unit_of_work(
    flash_category: str | None = "danger",
    catch: type[DomainError] | tuple[type[DomainError], ...] = DomainError,
) -> Iterator[Work]:
    """Run the block as one transaction; see the module docstring."""
    work = Work()
    try:
        yield work
    except catch as error:
        db.session.rollback()
        work.error = error
        if flash_category is not None:
            flash(str(error), flash_category)
        return
    db.session.commit()
