"""Reading an uploaded data file (CSV or XLSX) into a table of cells, or refusing it with one
clear message.

The content decides what a file is; the name may only narrow it (a .pdf is refused before it is
opened). An .xlsx is a zip: the sizes its members declare are summed and checked *before* any
XML is parsed, and a member cannot inflate past its declared size (zipfile stops there and fails
the CRC). openpyxl parses the XML through defusedxml, which refuses entity declarations, so an
"entity expansion" workbook is refused too. A CSV is UTF-8 (with or without a BOM) or
Windows-1252, the two encodings Excel writes; its delimiter is sniffed.

State report cards put a title above the table, a header over two rows (a merged "Percent
proficient" above "SY2019-20", "SY2020-21"…) and footnotes below it: the title rows are skipped,
the header rows flattened into one name per column ("Percent proficient / SY2019-20"), and the
footnotes kept apart.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import PurePath
from typing import IO, Any

import pandas as pd
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # the same cap as DataImport's stored upload
MAX_XLSX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_XLSX_MEMBERS = 2000
MAX_HEADER_ROWS = 3
HEADER_SEARCH_ROWS = 20
GROUP_SEPARATOR = " / "

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
BINARY_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ""}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


class ReadError(Exception):
    """The file cannot be read at all; the message says why, in plain words."""


@dataclass
class Table:
    # One column per (flattened) header; the index is the row number in the spreadsheet.
    frame: pd.DataFrame
    kind: str  # "csv" or "xlsx"
    header_rows: list[int] = field(default_factory=list)  # spreadsheet row numbers
    # Columns past the header's last name that hold cells anyway: a row with a cell too many
    # (often a number with a thousands comma, not in quotes).
    extra_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # footnotes under the table
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]


def _not_a_spreadsheet() -> ReadError:
    return ReadError(
        _(
            "This file is not a CSV or Excel (.xlsx) spreadsheet. Save it as CSV or .xlsx and "
            "try again."
        )
    )


def _too_large() -> ReadError:
    return ReadError(
        _("This file is larger than 20 MB. Split it into smaller files and import each.")
    )


def read_table(file: IO[bytes] | bytes, *, file_name: str = "") -> Table:
    """Read a CSV or XLSX upload into a Table. Raises ReadError for anything else."""
    if isinstance(file, bytes):
        data = file
    else:
        file.seek(0)
        data = file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise _too_large()
    suffix = PurePath(file_name).suffix.lower()
    if suffix == ".xls" or data.startswith(OLE_MAGIC):
        raise ReadError(
            _("Old Excel files (.xls) cannot be read. Save it as .xlsx or CSV and try again.")
        )
    if suffix not in TEXT_SUFFIXES | XLSX_SUFFIXES:
        raise _not_a_spreadsheet()
    if not data.strip():
        raise ReadError(_("This file is empty."))
    if data.startswith(ZIP_MAGIC):
        if suffix in TEXT_SUFFIXES - {""}:
            raise _not_a_spreadsheet()
        rows, sheet = _read_xlsx(data)
        return _to_table(rows, kind="xlsx", sheet=sheet)
    if suffix in XLSX_SUFFIXES:
        raise _not_a_spreadsheet()
    text, encoding = _decode(data)
    delimiter = _sniff(text)
    return _to_table(_read_csv(text, delimiter), kind="csv", encoding=encoding, delimiter=delimiter)


def check_zip(data: bytes) -> zipfile.ZipFile:
    """The archive, once its declared sizes are known to be safe to unpack."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _not_a_spreadsheet() from None
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _not_a_spreadsheet()
    if (
        len(members) > MAX_XLSX_MEMBERS
        or sum(m.file_size for m in members) > MAX_XLSX_UNCOMPRESSED_BYTES
    ):
        raise ReadError(
            _("This Excel file unpacks to more than 200 MB. Save it as CSV, or split it.")
        )
    return archive


def _read_xlsx(data: bytes) -> tuple[list[list[Any]], str]:
    check_zip(data)
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = [[_xlsx_cell(cell) for cell in row] for row in sheet.iter_rows()]
        name = sheet.title
        book.close()
    except Exception as error:  # openpyxl and zipfile raise many kinds on a damaged workbook
        if _caused_by(error, DefusedXmlException):
            raise ReadError(
                _(
                    "This Excel file contains XML entity declarations, which are refused for "
                    "safety. Open it in Excel, save it again, and try again."
                )
            ) from None
        raise ReadError(
            _("This Excel file could not be read; it may be damaged. Save it again, or as CSV.")
        ) from None
    return rows, name


def _caused_by(error: BaseException, kind: type[BaseException]) -> bool:
    # openpyxl wraps what the XML parser raised in a ValueError of its own.
    seen: BaseException | None = error
    for _depth in range(10):
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _xlsx_cell(cell: Any) -> Any:
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and "%" in (getattr(cell, "number_format", "") or ""):
        # A cell formatted as a percentage holds the fraction (0.452 shows as 45.2%).
        percent = (Decimal(repr(value)) * 100).normalize()
        return f"{percent:f}%"
    if isinstance(value, datetime) and value.time() == time(0, 0):
        return value.date()
    if isinstance(value, int | float | date | Decimal):
        return value
    return str(value)


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not BINARY_CHARS.search(text):
            return text, "utf-8" if encoding == "utf-8-sig" else "windows-1252"
    raise _not_a_spreadsheet()


def _sniff(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        first_line = sample.lstrip("\r\n").split("\n", 1)[0]
        counts = {d: first_line.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _read_csv(text: str, delimiter: str) -> pd.DataFrame | list[list[Any]]:
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError):
        pass
    # Rows of different lengths (a trailing comma on some lines): the csv module takes them.
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _not_a_spreadsheet() from None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_table(
    grid: pd.DataFrame | list[list[Any]],
    *,
    kind: str,
    encoding: str = "",
    delimiter: str = "",
    sheet: str = "",
) -> Table:
    if isinstance(grid, pd.DataFrame):
        frame = grid
    else:
        width = max((len(r) for r in grid), default=0)
        frame = pd.DataFrame([[*r, *[""] * (width - len(r))] for r in grid], dtype=object)
    if frame.empty or frame.shape[1] == 0:
        raise ReadError(_("This file is empty."))
    frame.columns = range(frame.shape[1])
    frame.index = range(1, len(frame) + 1)
    if isinstance(grid, pd.DataFrame):
        # Every cell of a CSV is text: strip and test for blanks column by column, vectorised.
        frame = frame.apply(lambda column: column.str.strip())
        filled = frame.ne("")
    else:
        frame = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
        filled = ~frame.map(_blank)
    counts = filled.iloc[:HEADER_SEARCH_ROWS].sum(axis=1)
    if not counts.any():
        raise ReadError(_("This file is empty."))
    widest = int(counts.max())
    # The header is the first row that fills at least half of the widest row: a title above
    # it ("Grade 3 reading, 2015 to 2024") fills one cell.
    first = next(n for n, c in counts.items() if c >= max(2, (widest + 1) // 2) or widest < 2)
    header_rows = [first]
    while len(header_rows) < MAX_HEADER_ROWS:
        below = header_rows[-1] + 1
        if below > len(frame) or not _continues_header(frame, header_rows, below):
            break
        header_rows.append(below)
    last_header = header_rows[-1]
    used_columns = [c for c in frame.columns if filled.loc[first:, c].any()]
    body = frame.loc[last_header + 1 :, used_columns]
    filled = filled.loc[last_header + 1 :, used_columns]
    keep = filled.any(axis=1)
    body = body[keep]
    filled = filled[keep]
    body, notes = _split_notes(body, filled)
    header_block = frame.loc[header_rows, used_columns]
    names = _flatten_header(header_block)
    named = [i for i, c in enumerate(used_columns) if (~header_block[c].map(_blank)).any()]
    extra = [names[i] for i in range(len(names)) if not named or i > max(named)]
    body = body.copy()
    body.columns = pd.Index(names)
    return Table(
        frame=body,
        kind=kind,
        header_rows=header_rows,
        extra_columns=extra,
        notes=notes,
        encoding=encoding,
        delimiter=delimiter,
        sheet=sheet,
    )


def _continues_header(frame: pd.DataFrame, header_rows: list[int], below: int) -> bool:
    """A second header row sits under a merged one: the row above spans columns (a filled cell
    followed by blank ones), and this row leaves its first column blank, as no data row does."""
    above = frame.loc[header_rows[-1]]
    row = frame.loc[below]
    if not _blank(row.iloc[0]) or all(_blank(v) for v in row):
        return False
    cells = list(above)
    spans = any(
        _blank(cells[i]) and not _blank(row.iloc[i]) and any(not _blank(c) for c in cells[:i])
        for i in range(1, len(cells))
    )
    return spans


def _split_notes(body: pd.DataFrame, filled: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Footnotes under the table ("* Fewer than 10 students tested.", "Source: …") fill only
    their first cell; they are kept apart rather than read as data rows."""
    notes: list[str] = []
    if body.shape[1] < 2:
        return body, notes
    end = len(body)
    while end > 0:
        row_filled = filled.iloc[end - 1]
        if row_filled.iloc[0] and row_filled.sum() == 1:
            end -= 1
        else:
            break
    notes = [str(v) for v in body.iloc[end:, 0]]
    return body.iloc[:end], notes


def _flatten_header(header: pd.DataFrame) -> list[str]:
    rows = [list(r) for r in header.itertuples(index=False, name=None)]
    # A merged cell's text is in its first column only: carry it right over the blanks of
    # every header row but the last.
    for row in rows[:-1]:
        carried: Any = ""
        for i, value in enumerate(row):
            if _blank(value):
                row[i] = carried
            else:
                carried = value
    names: list[str] = []
    seen: dict[str, int] = {}
    for i in range(len(rows[0])):
        parts: list[str] = []
        for row in rows:
            text = _header_text(row[i])
            if text and text not in parts:
                parts.append(text)
        name = GROUP_SEPARATOR.join(parts) or _("Column %(letter)s") % {"letter": letter(i)}
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        names.append(name)
    return names


def _header_text(value: Any) -> str:
    if _blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


def letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
