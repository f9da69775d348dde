"""How attachments are described on pages."""

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

TYPE_LABELS = {
    "application/pdf": _l("PDF"),
    "image/jpeg": _l("JPEG image"),
    "image/png": _l("PNG image"),
}


def type_label(content_type: str) -> str:
    return str(TYPE_LABELS.get(content_type, content_type))


def file_size(size: int) -> str:
    """``840 KB``, ``2.4 MB`` (in the page's language: ``2,4 MB`` in Dutch)."""
    if size < 1024 * 1024:
        return f"{format_decimal(max(round(size / 1024), 1))} KB"
    return f"{format_decimal(size / 1024 / 1024, format='#,##0.0')} MB"
