"""Makes the data files the metrics importer tests read. Run it from the repository root
(`.venv/bin/python tests/metrics_files/make_fixtures.py`); the files it writes are committed, so
the tests never depend on it running. Each file is shaped like what data staff really upload."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent


def report_card_wide_csv() -> None:
    """A state report card saved as CSV: a title, school years across, suppression markers,
    percentages as text, and footnotes."""
    rows = [
        ["Grade 3 English Language Arts: percent meeting standard", "", "", "", "", ""],
        ["", "", "", "", "", ""],
        ["District", "Student group", "SY2015-16", "SY2016-17", "SY2017-18", "SY2018-19"],
        ["Lakeshore", "All students", "45.2%", "46.0%", "47.5%", " 48.1% "],
        ["Lakeshore", "Hispanic or Latino", "38.4%", "*", "40.2%", "41.0%"],
        ["Lakeshore", "Black or African American", "31.0%", "<10", "n<10", "33.3%"],
        ["Lakeshore", "Asian", "--", "62.5%", "", "N/A"],
        ["Lakeshore", "White", "55.0%", "56.1%", "57.0%", "57.9%"],
        ["* Fewer than 10 students tested; results are suppressed.", "", "", "", "", ""],
        ["Source: State Department of Education, 2019.", "", "", "", "", ""],
    ]
    text = "\r\n".join(",".join(f'"{c}"' if "," in c else c for c in row) for row in rows)
    (HERE / "report_card_wide.csv").write_bytes(b"\xef\xbb\xbf" + (text + "\r\n").encode())


def enrollment_cp1252_csv() -> None:
    """A long file from a Spanish-language partner's Excel: Windows-1252, semicolons, thousands
    separators, accented group names."""
    rows = [
        ["Indicador", "Año", "Raza/etnia", "Valor", "Fuente"],
        ["Kindergarten enrollment", "2022", "Hispanic/Latino", "1,234", "Distrito"],
        ["Kindergarten enrollment", "2022", "Asiático", "312", "Distrito"],
        ["Kindergarten enrollment", "2023", "Hispanic/Latino", "1,301", "Distrito"],
        ["Kindergarten enrollment", "2023", "Asiático", " 298 ", "Distrito"],
        ["Kindergarten enrollment", "2023", "Todos", "12,045", "Distrito"],
    ]
    text = "\r\n".join(";".join(row) for row in rows) + "\r\n"
    (HERE / "enrollment_cp1252.csv").write_bytes(text.encode("cp1252"))


def long_with_problems_csv() -> None:
    """A long file with one of each problem the preview must catch."""
    rows = [
        "Indicator,Period,Group,Value",
        "Third graders reading at grade level,2019,Hispanic or Latino,41.5%",
        "Third graders reading at grade level,2020,Hispanic or Latino,about 40",
        "Third graders reading at grade level,Spring,Hispanic or Latino,42%",
        "Third graders reading at grade level,2021,Martian,43%",
        "Third graders reading at grade level,2019,Hispanic or Latino,41.9%",
        "Third graders reading at grade level,2022,Hispanic or Latino,142%",
        "Third graders reading at grade level,2023,Hispanic or Latino,(3)",
        "Kindergarten readiness,2019,,1,234",
        "Kindergarten readiness,2020,,<10",
    ]
    (HERE / "long_with_problems.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def report_card_merged_xlsx() -> None:
    """A report card workbook: a title, a two-row header with merged cells, percentage cells
    that hold fractions, text suppression markers and a footnote."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Report card"
    sheet.append(["Lakeshore County: third-grade reading"])
    sheet.append([])
    sheet.append(["Student group", "Percent proficient", None, None, "Number tested"])
    sheet.append([None, "SY2017-18", "SY2018-19", "SY2019-20", "SY2019-20"])
    sheet.append(["All students", 0.452, 0.461, 0.475, 2012])
    sheet.append(["Hispanic or Latino", 0.384, "*", 0.402, 655])
    sheet.append(["Asian", "n<10", "n<10", 0.625, 8])
    sheet.append(["* Fewer than 10 students tested."])
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:D3")
    for row in sheet.iter_rows(min_row=5, max_row=7, min_col=2, max_col=4):
        for cell in row:
            if isinstance(cell.value, float):
                cell.number_format = "0.0%"
    sheet["E5"].number_format = "#,##0"
    book.save(HERE / "report_card_merged.xlsx")


def monthly_dates_xlsx() -> None:
    """Monthly counts with Excel date cells in the period column."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Month", "Families served"])
    for month, value in ((1, 120), (2, 131.0), (3, 1408)):
        sheet.append([datetime(2024, month, 1), value])  # noqa: DTZ001 — a spreadsheet date
        sheet.cell(row=sheet.max_row, column=1).number_format = "mmm-yy"
    book.save(HERE / "monthly_dates.xlsx")


def _workbook_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Year", "Value"])
    sheet.append([2024, 1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def zip_bomb_xlsx() -> None:
    """A workbook whose sheet declares (truthfully) 300 MB once unpacked, from a few hundred
    kilobytes: refused from the sizes in the zip directory, before any XML is read."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(300):
                member.write(chunk)
    (HERE / "zip_bomb.xlsx").write_bytes(out.getvalue())


def lying_zip_bomb_xlsx() -> None:
    """A real workbook whose sheet member claims 400 bytes but inflates to 50 MB: its declared
    sizes pass the check, and zipfile stops at the declared size and fails the CRC."""
    source = zipfile.ZipFile(io.BytesIO(_workbook_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data + b" " * (50 * 1024 * 1024)
            archive.writestr(info.filename, data)
    blob = bytearray(out.getvalue())
    check = zipfile.ZipFile(io.BytesIO(bytes(blob)))
    info = check.getinfo("xl/worksheets/sheet1.xml")
    real = info.file_size.to_bytes(4, "little")
    fake = (400).to_bytes(4, "little")
    # The uncompressed size is in the local header (offset 22) and the central directory
    # (offset 24 of its entry); both are rewritten.
    local = info.header_offset
    assert blob[local + 22 : local + 26] == real
    blob[local + 22 : local + 26] = fake
    central = 0
    position = 0
    while True:
        position = blob.find(b"PK\x01\x02", position)
        if position < 0:
            break
        name_length = int.from_bytes(blob[position + 28 : position + 30], "little")
        name = bytes(blob[position + 46 : position + 46 + name_length])
        if name == b"xl/worksheets/sheet1.xml":
            assert blob[position + 24 : position + 28] == real
            blob[position + 24 : position + 28] = fake
            central = position
        position += 4
    assert central > 0
    (HERE / "lying_zip_bomb.xlsx").write_bytes(bytes(blob))


def entity_expansion_xlsx() -> None:
    """A real workbook whose sheet declares a "billion laughs" entity: refused by defusedxml
    before anything expands."""
    laughs = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        + "]>\n"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    source = zipfile.ZipFile(io.BytesIO(_workbook_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = laughs.encode()
            archive.writestr(info.filename, data)
    (HERE / "entity_expansion.xlsx").write_bytes(out.getvalue())


if __name__ == "__main__":
    report_card_wide_csv()
    enrollment_cp1252_csv()
    long_with_problems_csv()
    report_card_merged_xlsx()
    monthly_dates_xlsx()
    zip_bomb_xlsx()
    lying_zip_bomb_xlsx()
    entity_expansion_xlsx()
