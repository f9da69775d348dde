"""A centre's short bilingual lists that admins keep (case types, contact topics): the
add and edit pages share their form handling and templates
(``templates/shared/named_list.html``, ``named_entry_edit.html``)."""

from collections.abc import Callable

from flask import flash, redirect, url_for

from caseflow.core.audit import annotate
from caseflow.core.transactions import unit_of_work


def entry_values(form) -> dict:
    """The saved fields of a named-list form (name_en, name_nl, position, is_active)."""
    return {
        "name_en": form.name_en.data,
        "name_nl": form.name_nl.data,
        "position": form.position.data or 0,
        "is_active": bool(form.is_active.data),
    }


def save_entry(form, save: Callable[[dict], object], *, saved: str, list_endpoint: str, new: bool):
    """Validate ``form`` and ``save(values)`` in one unit of work. A refused save (e.g. a
    name the list has already) shows under the English name. Returns the redirect to
    the list once saved, else None: the caller shows the form again (400 after a post).
    ``new``: the audit event records the new entry's id."""
    if not form.validate_on_submit():
        return None
    with unit_of_work(None) as work:
        entry = save(entry_values(form))
    if work.failed:
        form.name_en.errors = [*form.name_en.errors, str(work.error)]
        return None
    if new:
        annotate(object_id=entry.id)
    flash(saved, "success")
    return redirect(url_for(list_endpoint))
