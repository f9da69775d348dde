"""Synthetic files for upload tests: made here, never read from disk."""

import io

from PIL import Image
from pypdf import PdfWriter
from werkzeug.datastructures import FileStorage


def png_bytes(size=(40, 30), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(64, 48), exif_text: str | None = None) -> bytes:
    """A JPEG; with ``exif_text`` its EXIF carries that text (camera make and a GPS tag)."""
    image = Image.new("RGB", size, (20, 120, 200))
    buffer = io.BytesIO()
    if exif_text is None:
        image.save(buffer, format="JPEG")
    else:
        exif = Image.Exif()
        exif[0x010F] = exif_text  # Make
        exif[0x8825] = {1: "N", 2: (50.0, 55.0, 12.3)}  # GPSInfo
        image.save(buffer, format="JPEG", exif=exif, comment=exif_text.encode())
    return buffer.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def raw_pdf(catalog_extra: bytes = b"", objects: tuple[bytes, ...] = ()) -> bytes:
    """A one-page PDF written by hand, with a correct cross-reference table:
    ``catalog_extra`` goes into the catalogue, ``objects`` become objects 4, 5..."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        *objects,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


def big_pdf(padding: int) -> bytes:
    """A whole PDF of about ``padding`` bytes more (an unreferenced stream holds them)."""
    data = b"x" * padding
    return raw_pdf(objects=(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream",))


def pdf_with_javascript() -> bytes:
    """Opening it runs a script (an OpenAction of type JavaScript)."""
    return raw_pdf(
        b"/OpenAction 4 0 R", (b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>",)
    )


def heic_bytes(size=(32, 24)) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(buffer, format="HEIF")
    return buffer.getvalue()


def upload(data: bytes, filename: str, content_type: str = "application/octet-stream"):
    """A FileStorage as a request would hold it."""
    return FileStorage(io.BytesIO(data), filename=filename, content_type=content_type)
