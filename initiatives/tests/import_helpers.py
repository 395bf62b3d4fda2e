"""Helpers shared by the import and export tests: sample files and an upload shortcut."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

FIXTURES = Path(__file__).parent / "fixtures"
PARTNER_NAMES = (
    "Lakeshore Public Schools",
    "Northside Family Center",
    "Grace Community Church",
    "Lakeshore County Health Department",
)

# What the preview says about fixtures/people_mixed.csv, when its first two organizations exist.
MIXED_ERRORS = [
    "Row 4, column “Email”: “chloe@” is not a valid email address.",
    "Row 5, column “Name”: The name is empty.",
    "Row 6, column “Email”: ana.lopez@example.org is also on row 2.",
    "Row 7, column “Organization”: No partner organization is called “Moonbase Alliance”. "
    "Add it first, or choose “Create missing organizations”.",
]


def sample(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def upload(
    client: Client, kind: str, filename: str, content: bytes, slug: str = "lakeshore"
) -> Any:
    return client.post(
        reverse(f"{kind}_import", kwargs={"org_slug": slug}),
        {"file": SimpleUploadedFile(filename, content)},
    )


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb(uncompressed_mb: int = 60) -> bytes:
    """A workbook-shaped zip whose one sheet inflates to `uncompressed_mb` MB of zeros from
    a few kilobytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(uncompressed_mb):
                member.write(chunk)
    return out.getvalue()
