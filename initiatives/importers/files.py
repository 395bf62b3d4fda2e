"""Reading an uploaded spreadsheet into header cells and data rows, or refusing it with one clear
message. The content decides what a file is, never its name: an .xlsx is a zip holding
[Content_Types].xml and a workbook; a CSV is text in UTF-8 (with or without a BOM) or
Windows-1252, the two encodings Excel writes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO

import pandas as pd
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Sum of the sizes the zip members declare. zipfile stops decompressing a member at its
# declared size (and then fails its CRC), so a member cannot inflate past what it declares.
MAX_XLSX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_XLSX_MEMBERS = 2000
MAX_ROWS = 5000

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls
# Text has no control characters other than tab, line feed, carriage return and form feed.
BINARY_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
INTEGRAL_FLOAT = re.compile(r"-?\d+\.0")


class ImportFileError(Exception):
    """The file cannot be imported at all; the message says why, in plain words."""


@dataclass(frozen=True)
class Sheet:
    headers: list[str]
    # (spreadsheet row number, cells padded to len(headers)), blank rows left out.
    rows: list[tuple[int, list[str]]]


def not_a_spreadsheet() -> ImportFileError:
    return ImportFileError(
        _(
            "This file is not a CSV or Excel (.xlsx) spreadsheet. Save it as CSV or .xlsx and "
            "try again."
        )
    )


def read_upload(file: IO[bytes], *, size: int | None = None) -> Sheet:
    """Read a CSV or XLSX upload. Raises ImportFileError for anything that is not one."""
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    if size > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("This file is larger than 10 MB. Split it into smaller files and import each.")
        )
    file.seek(0)
    data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("This file is larger than 10 MB. Split it into smaller files and import each.")
        )
    if not data.strip():
        raise ImportFileError(_("This file is empty."))
    if data.startswith(ZIP_MAGIC):
        grid = _read_xlsx(data)
    elif data.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("Old Excel files (.xls) cannot be read. Save it as .xlsx or CSV and try again.")
        )
    else:
        grid = _read_csv(data)
    return _to_sheet(grid)


def _read_xlsx(data: bytes) -> list[list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise not_a_spreadsheet() from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise not_a_spreadsheet()
    if (
        len(members) > MAX_XLSX_MEMBERS
        or sum(m.file_size for m in members) > MAX_XLSX_UNCOMPRESSED_BYTES
    ):
        raise ImportFileError(
            _("This Excel file unpacks to more than 50 MB. Save it as CSV, or split it.")
        )
    try:
        frame = pd.read_excel(
            io.BytesIO(data), sheet_name=0, header=None, dtype=str, na_filter=False,
            engine="openpyxl",
        )  # fmt: skip
    except Exception:  # openpyxl raises many kinds of errors on a damaged workbook
        raise ImportFileError(
            _("This Excel file could not be read; it may be damaged. Save it again, or as CSV.")
        ) from None
    return [
        [_xlsx_cell(value) for value in row] for row in frame.itertuples(index=False, name=None)
    ]


def _xlsx_cell(value: object) -> str:
    text = "" if value is None else str(value).strip()
    # A phone number or an amount typed as a number comes back as "5551234567.0".
    return text[:-2] if INTEGRAL_FLOAT.fullmatch(text) else text


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not BINARY_CHARS.search(text):
            return text
    raise not_a_spreadsheet()


def _read_csv(data: bytes) -> list[list[str]]:
    # The csv module rather than pandas here: a row with a stray extra cell (a trailing comma
    # in a hand-made file) should be one row's business, not a parse error for the whole file.
    text = _decode(data)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if any(d in first_line for d in ",;\t") else ","
    try:
        return [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error:
        raise not_a_spreadsheet() from None


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _to_sheet(grid: list[list[str]]) -> Sheet:
    numbered = [(n, row) for n, row in enumerate(grid, start=1) if any(c.strip() for c in row)]
    if not numbered:
        raise ImportFileError(_("This file is empty."))
    (_header_n, header), data = numbered[0], numbered[1:]
    if len(data) > MAX_ROWS:
        raise ImportFileError(
            _("This file has %(count)s rows; import at most %(max)s at a time.")
            % {"count": f"{len(data):,}", "max": f"{MAX_ROWS:,}"}
        )
    width = max(len(row) for _n, row in numbered)
    headers = [
        (header[i].strip() if i < len(header) else "")
        or _("Column %(letter)s") % {"letter": column_letter(i)}
        for i in range(width)
    ]
    rows = [(n, [*row, *[""] * (width - len(row))]) for n, row in data]
    return Sheet(headers=headers, rows=rows)
