"""Reading a value cell as data staff write it: "45.2%", "1,234", "$1,200.50", "(12)", or a
suppression marker ("*", "<10", "n<10", "--", "N/A") that hides a small number.

Decisions, made once here:
- A suppressed value is stored as suppressed with its marker and no value — never as zero.
- A blank cell is not a value and not an error: Parsed(None, False, "").
- Percentages are points from 0 to 100. "45.2%" and "45.2" are both 45.2; a value outside 0 to
  100 in a percent column is an error. Nothing is ever rescaled here: a column of fractions
  ("0.452") is caught by the importer's column check and read as percentages only when declared.
- "(12)" is -12 only where the column declares parentheses as negative; elsewhere it is an error.
- Thousands separators are commas or spaces in groups of three ("1,234,567", "1 234"); a
  decimal comma ("1.234,5") is refused rather than guessed.
- Values keep at most 4 decimal places (what is stored), rounded half to even.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.utils.translation import gettext as _

PERCENT = "percent"
CURRENCY = "currency"

PLACES = Decimal("0.0001")
# DataPoint.value is Decimal(18, 4): 14 digits before the point.
LIMIT = Decimal(10) ** 14
MAX_TEXT = 60

SUPPRESSION_MARKERS = frozenset(
    {
        "*", "**", "***", "--", "---", "-", "—", "–", "N/A", "NA", "n/a", "na", "N/a", "†", "‡",
        "s", "S", "DS", "NR", "n.a.", "N.A.", ".", "x", "X", "#"
    }
)  # fmt: skip
# "<10", "< 10", "n<10", "N < 10", "≤5", "<5%", ">95%", ">=95%": a number hidden behind a bound.
_BOUND_MARKER = re.compile(r"[nN]?\s*(?:<=?|>=?|≤|≥)\s*\d{1,4}(?:\.\d)?\s*%?")
_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " ", "−": "-", "\t": " "})
_PLAIN = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_COMMA_GROUPS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_SPACE_GROUPS = re.compile(r"\d{1,3}(?: \d{3})+(?:\.\d*)?")
_SCIENTIFIC = re.compile(r"\d+(?:\.\d*)?[eE][-+]?\d{1,3}")
CURRENCY_SIGNS = ("US$", "$", "€", "£")
# What most cells of a large file look like ("45.2", "45.2%", "1234"): read without the rest.
_SIMPLE = re.compile(r"(\d{1,14})(\.\d{0,4})?(%?)")


class NumberError(ValueError):
    """The cell is not a number this column can hold; the message says why."""


@dataclass(frozen=True)
class Parsed:
    value: Decimal | None
    suppressed: bool
    marker: str
    # The sign written with the number ("%" or "$"), for the importer's mixed-units check.
    symbol: str = ""


BLANK = Parsed(None, False, "")


def is_suppression_marker(text: str) -> bool:
    text = text.strip()
    return text in SUPPRESSION_MARKERS or bool(_BOUND_MARKER.fullmatch(text))


def _shown(text: object) -> str:
    shown = str(text)
    return shown[:MAX_TEXT] + "…" if len(shown) > MAX_TEXT else shown


def _not_a_number(text: object) -> NumberError:
    return NumberError(_("“%(text)s” is not a number.") % {"text": _shown(text)})


def parse_number(text: object, *, unit: str, parentheses_negative: bool = False) -> Parsed:
    """Read one value cell for a column of `unit`. Raises NumberError for anything else."""
    if text is None or isinstance(text, bool):
        if text is None:
            return BLANK
        raise _not_a_number(text)
    if isinstance(text, float):
        if math.isnan(text):
            return BLANK
        if math.isinf(text):
            raise _not_a_number(text)
        return _finish(Decimal(repr(text)), text, unit=unit, symbol="")
    if isinstance(text, int):
        return _finish(Decimal(text), text, unit=unit, symbol="")
    if isinstance(text, Decimal):
        if text.is_nan():
            return BLANK
        if not text.is_finite():
            raise _not_a_number(text)
        return _finish(text, text, unit=unit, symbol="")
    if not isinstance(text, str):
        raise _not_a_number(text)
    return _parse_text(text, unit=unit, parentheses_negative=parentheses_negative)


def _parse_text(original: str, *, unit: str, parentheses_negative: bool) -> Parsed:
    simple = _SIMPLE.fullmatch(original)
    if simple is not None and (unit == PERCENT or not simple[3]):
        whole, fraction, sign = simple.groups()
        fraction = (fraction or "").rstrip("0").rstrip(".")
        value = Decimal(whole + fraction)
        if unit == PERCENT and value > 100:
            raise NumberError(
                _("“%(text)s” is an out-of-range percent: percentages go from 0 to 100.")
                % {"text": _shown(original)}
            )
        return Parsed(value, False, "", sign)
    text = " ".join(original.translate(_SPACES).split())
    if not text:
        return BLANK
    if len(text) > MAX_TEXT:
        raise _not_a_number(original)
    if is_suppression_marker(text):
        # Kept as written, within the 10 characters the marker is stored in ("N >= 95 %").
        return Parsed(None, True, text if len(text) <= 10 else text.replace(" ", ""))
    negative = False
    if text.startswith("(") and text.endswith(")"):
        if not parentheses_negative:
            raise NumberError(
                _(
                    "“%(text)s” is in parentheses. If this column writes negative numbers in "
                    "parentheses, say so in the column choices; otherwise write -12."
                )
                % {"text": _shown(original)}
            )
        negative = True
        text = text[1:-1].strip()
    if text.startswith("-"):
        if negative:
            raise _not_a_number(original)
        negative = True
        text = text[1:].strip()
    elif text.startswith("+"):
        text = text[1:].strip()
    symbol = ""
    for sign in CURRENCY_SIGNS:
        if text.startswith(sign):
            symbol = "$"
            text = text[len(sign) :].strip()
            if text.startswith("-") and not negative:
                negative = True
                text = text[1:].strip()
            break
    if text.endswith("%"):
        if symbol:
            raise _not_a_number(original)
        symbol = "%"
        text = text[:-1].strip()
    if symbol == "%" and unit != PERCENT:
        raise NumberError(
            _("“%(text)s” is a percentage, but this column holds %(unit)s values.")
            % {"text": _shown(original), "unit": unit.replace("_", " ")}
        )
    if symbol == "$" and unit != CURRENCY:
        raise NumberError(
            _("“%(text)s” is an amount of money, but this column holds %(unit)s values.")
            % {"text": _shown(original), "unit": unit.replace("_", " ")}
        )
    if _PLAIN.fullmatch(text) or _SCIENTIFIC.fullmatch(text):
        digits = text
    elif _COMMA_GROUPS.fullmatch(text):
        digits = text.replace(",", "")
    elif _SPACE_GROUPS.fullmatch(text):
        digits = text.replace(" ", "")
    elif re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+|\d+,\d{1,2}", text):
        raise NumberError(
            _("“%(text)s” uses a decimal comma; write it with a decimal point (1234.5).")
            % {"text": _shown(original)}
        )
    else:
        raise _not_a_number(original)
    try:
        value = Decimal(digits)
    except InvalidOperation:
        raise _not_a_number(original) from None
    return _finish(-value if negative else value, original, unit=unit, symbol=symbol)


def _finish(value: Decimal, original: object, *, unit: str, symbol: str) -> Parsed:
    if abs(value) >= LIMIT:
        raise NumberError(_("“%(text)s” is too large.") % {"text": _shown(original)})
    value = value.quantize(PLACES, rounding=ROUND_HALF_EVEN)
    if value == 0:
        value = abs(value)  # no "-0"
    if unit == PERCENT and not Decimal(0) <= value <= Decimal(100):
        raise NumberError(
            _("“%(text)s” is an out-of-range percent: percentages go from 0 to 100.")
            % {"text": _shown(original)}
        )
    # 45.2 rather than 45.2000, 100 rather than 1E+2: the value as people write it.
    tidy = value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return Parsed(tidy, False, "", symbol)
