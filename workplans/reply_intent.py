"""What a partner's reply says about the commitments a NAG email listed, in English or Spanish.

`read_reply(text, listed, today=…)` reads the visible text of a reply (see reply_text) and
returns only what it understood with confidence; anything else makes the reading unclear, with a
reason staff can read and the commitments that part may be about (`Reading.concerned`). The
rules, in the order they matter:

- "done" is only ever read from words that say done (done, finished, completed, complete, did
  it, sent it, submitted, delivered…; hecho, listo, terminado, completado, ya lo hice…), never
  from a negated, hoped-for or future form ("not done yet", "almost done", "will be done by
  Friday", "no está listo", "todavía no", "lo tendré listo el viernes") — those mean the
  commitment is still in progress.
- "Blocked" needs words that say so (blocked, stuck, can't move forward, bloqueado, no puedo
  avanzar…): it opens a help request and emails the co-chairs. Waiting ("waiting on the city",
  "estamos esperando el seguro") is work under way.
- A reply addresses commitments by number ("1 done, 2 need help", "#2", "item 2", "el 2", an
  inline "2: …" line) or by a word of the commitment's title ("need help with the venue");
  with one commitment listed, a bare intent is about it; "all done"/"todos listos" is about
  all of them; a bare intent with several listed is unclear. A number names a commitment only
  where an answer puts one — opening a clause, or after an answer word ("drop 3") — never
  inside a sentence ("two halls left", "only takes 80", a phone number).
- A date ("by Dec 4", "12/4", "next Friday", "end of the month", "el 4 de diciembre", ISO…)
  is a new due date when it is about finishing the commitment: a deadline ("by", "para el"),
  moving it ("push to", "lo paso a"), finishing it ("I'll have it ready", "lo tendré listo el")
  or the date alone. Another date ("the contract arrives Monday") is part of the note. A new
  date must be after `today`.
- Notes keep the person's words, the reason included, sentences after the answer too ("Blocked
  - the insurer needs a certificate. Their letter is attached.") when it is plain which
  commitment they are about. A sentence that is not understood (no answer, not a greeting, a
  thanks or a sign-off) makes the reading unclear; what was understood is still returned.
- Contradictions about one commitment ("1 done" and "1 need help") apply nothing to it.

The reader is pure Python (no database), never raises, and is fast (regexes compiled here).
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


class Action(models.TextChoices):
    DONE = "done", _("done")
    IN_PROGRESS = "in_progress", _("in progress")
    NEED_HELP = "need_help", _("need help")
    BLOCKED = "blocked", _("blocked")
    NEW_DATE = "new_date", _("new date")
    DROP = "drop", _("drop")


@dataclass(frozen=True)
class Listed:
    """A commitment as the NAG email numbered it."""

    number: int
    commitment_id: int
    what: str
    due_date: date


@dataclass(frozen=True)
class Intent:
    number: int
    commitment_id: int
    action: Action
    note: str
    new_date: date | None


@dataclass(frozen=True)
class Reading:
    intents: tuple[Intent, ...]
    unclear: bool
    reason: str
    # When unclear: the commitments the part not understood may be about (those it names by
    # number or by a word of the title). Empty: it names none, so it may be about any listed
    # commitment the reading has no confident intent for.
    concerned: tuple[int, ...] = ()


MAX_CHARS = 20_000
NOTE_MAX = 500
ACTION_ORDER = list(Action)

# --- text preparation --------------------------------------------------------------------------


def _fold_char(char: str) -> str:
    low = char.lower()
    if len(low) != 1:
        low = char
    base = "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))
    return base if len(base) == 1 else low


# Lower case without accents, one character for one (positions in the folded text are positions
# in the person's text, so notes keep the person's own words).
_FOLD = {i: _fold_char(chr(i)) for i in range(0x250) if _fold_char(chr(i)) != chr(i)}
_FOLD.update(
    {
        0x2018: "'",
        0x2019: "'",
        0x201C: '"',
        0x201D: '"',
        0x00AB: '"',
        0x00BB: '"',
        0x2013: "-",
        0x2014: "-",
        0x00BA: "o",
        0x00B0: "o",
    }
)

_QUOTED_LINE = re.compile(r"^\s*>")
_NAG_LINE = re.compile(
    r"^\s*(?:(?:done|i need help|new date|listo|necesito ayuda|nueva fecha)\s*:?\s*<?https?://"
    r"\S+>?|.*(?:you can also simply reply|tambi[eé]n puede simplemente responder).*)\s*$",
    re.IGNORECASE,
)
# An address starts where a run of address characters starts (one attempt per run, not one
# per character: a long run without "@" would otherwise take quadratic time).
_URL = re.compile(
    r"<?(?:https?://|www\.)\S+|(?<![\w.+-])<?[\w.+-]++@[\w-]+\.[\w.-]+>?", re.IGNORECASE
)

# --- dates -------------------------------------------------------------------------------------

_MONTHS = {
    "january": 1, "jan": 1, "enero": 1, "ene": 1,
    "february": 2, "feb": 2, "febrero": 2,
    "march": 3, "mar": 3, "marzo": 3,
    "april": 4, "apr": 4, "abril": 4, "abr": 4,
    "may": 5, "mayo": 5,
    "june": 6, "jun": 6, "junio": 6,
    "july": 7, "jul": 7, "julio": 7,
    "august": 8, "aug": 8, "agosto": 8, "ago": 8,
    "september": 9, "sept": 9, "sep": 9, "septiembre": 9, "setiembre": 9, "set": 9,
    "october": 10, "oct": 10, "octubre": 10,
    "november": 11, "nov": 11, "noviembre": 11,
    "december": 12, "dec": 12, "diciembre": 12, "dic": 12,
}  # fmt: skip
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAYS = {
    "monday": 0, "lunes": 0, "mon": 0,
    "tuesday": 1, "martes": 1, "tues": 1, "tue": 1,
    "wednesday": 2, "miercoles": 2, "wed": 2,
    "thursday": 3, "jueves": 3, "thurs": 3, "thur": 3, "thu": 3,
    "friday": 4, "viernes": 4, "fri": 4,
    "saturday": 5, "sabado": 5, "sat": 5,
    "sunday": 6, "domingo": 6, "sun": 6,
}  # fmt: skip
_WEEKDAY_FULL = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|miercoles|jueves|viernes|sabado|domingo"  # noqa: E501
_WEEKDAY_SHORT = "mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun"
_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "un": 1, "una": 1, "uno": 1,
    "two": 2, "dos": 2, "couple of": 2, "par de": 2,
    "three": 3, "tres": 3, "four": 4, "cuatro": 4, "five": 5, "cinco": 5,
    "six": 6, "seis": 6, "seven": 7, "siete": 7, "eight": 8, "ocho": 8,
}  # fmt: skip
_COUNT_RE = r"\d{1,2}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))

_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_MONTH_DAY = re.compile(
    rf"\b(?:(?:{_WEEKDAY_FULL}|{_WEEKDAY_SHORT})\.?,?\s+)?(?:the\s+)?({_MONTH_RE})\.?\s+"
    r"(\d{1,2})(?:st|nd|rd|th)?\b(?!\s*(?:[:/]\d|%))(?:,?\s+(\d{4})\b)?"
)
_DAY_MONTH = re.compile(
    rf"\b(?:(?:{_WEEKDAY_FULL}|{_WEEKDAY_SHORT})\.?,?\s+)?(?:(?:el|the)\s+)?(?:dia\s+)?"
    rf"(\d{{1,2}})(?:st|nd|rd|th|o)?\s+(of\s+|de\s+)?({_MONTH_RE})\b\.?"
    r"(?:,?\s+(?:de(?:l)?\s+)?(\d{4})\b)?"
)
_NUMERIC = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/])")
_END_OF_MONTH_NAMED = re.compile(
    rf"\b(?:(?:the\s+)?end\s+of|late|(?:a\s+)?(?:fin(?:ales|es)?|final)\s+de)\s+({_MONTH_RE})\b"
)
_MID_MONTH = re.compile(rf"\b(?:mid-?\s*|(?:a\s+)?mediados\s+de\s+)({_MONTH_RE})\b")
_END_NEXT_WEEK = re.compile(
    r"\b(?:(?:the\s+)?end\s+of\s+next\s+week|(?:a\s+)?fin(?:ales|es)?\s+de\s+la\s+"
    r"(?:proxima\s+semana|semana\s+(?:que\s+viene|proxima|siguiente)))\b"
)
_END_WEEK = re.compile(
    r"\b(?:(?:the\s+)?end\s+of\s+(?:the|this)\s+week|(?:the\s+)?end\s+of\s+week|"
    r"(?:a\s+)?fin(?:ales|es)?\s+de\s+(?:la|esta)\s+semana)\b"
)
_NEXT_WEEK = re.compile(
    r"\b(?:next\s+week|(?:la\s+)?semana\s+(?:que\s+viene|proxima|siguiente)|"
    r"(?:la\s+)?proxima\s+semana)\b"
)
_END_NEXT_MONTH = re.compile(
    r"\b(?:(?:the\s+)?end\s+of\s+next\s+month|next\s+month|(?:a\s+)?fin(?:ales|es)?\s+del\s+"
    r"(?:proximo\s+mes|mes\s+(?:que\s+viene|proximo|siguiente))|(?:el\s+)?(?:proximo\s+mes|"
    r"mes\s+(?:que\s+viene|proximo|siguiente)))\b"
)
_END_MONTH = re.compile(
    r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month|month[-\s]end|eom|"
    r"(?:a\s+)?fin(?:ales|es)?\s+de(?:l|\s+este)?\s+mes)\b"
)
_END_YEAR = re.compile(
    r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?year|year[-\s]end|"
    r"(?:a\s+)?fin(?:ales|es)?\s+de(?:l|\s+este)?\s+ano)\b"
)
_IN_COUNT = re.compile(
    rf"\b(?:in|within|en|dentro\s+de)\s+(?:another\s+|otr[oa]s?\s+)?({_COUNT_RE})\s+"
    r"(?:more\s+|mas\s+)?(days?|weeks?|months?|dias|semanas?|mes|meses)\b"
    rf"|\b({_COUNT_RE})\s+(?:more\s+)?(days?|weeks?|months?)\s+from\s+(?:now|today)\b"
)
_TOMORROW = re.compile(
    r"\b(?:tomorrow|(?<!la )(?<!esta )(?<!cada )pasado\s+manana|"
    r"(?<!la )(?<!esta )(?<!cada )(?<!por )(?<!de )manana)\b"
)
_WEEKDAY = re.compile(
    r"\b(?:(?:on|by|until|till|before|el|para\s+el|hasta\s+el|antes\s+del)\s+)?"
    r"(?:(next|this|coming|proximo|este|siguiente)\s+)?"
    rf"({_WEEKDAY_FULL})\b(?:\s+(que\s+viene|proximo|next\s+week|of\s+next\s+week|"
    r"de\s+la\s+(?:semana\s+que\s+viene|proxima\s+semana)))?"
    rf"|\b(?:on|by|until|till|before|next|this)\s+({_WEEKDAY_SHORT})\b\.?"
)
_DAY_OF_MONTH = re.compile(
    r"\b(?:by|on|until|till|before)\s+the\s+(\d{1,2})(?:st|nd|rd|th)\b"
    r"|\b(?:para|hasta|antes)\s+(?:el|del)\s+(?:dia\s+)?(\d{1,2})\b(?!\s*(?:de\b|/))"
)
_TIME = re.compile(r"\b\d{1,2}(?::\d{2})?\s*(?:[ap]\.?m\.?|hrs?|h)\b|\b\d{1,2}:\d{2}\b")
_INSTEAD = re.compile(
    r"\b(?:instead\s+of|rather\s+than|en\s+vez\s+de(?:l)?|en\s+lugar\s+de(?:l)?|from|desde|"
    r"del?)\s*$"
)
_DATE_CUE_BEFORE = re.compile(
    r"\b(?:by|until|till|before|para|hasta|antes\s+de(?:l)?|to|al|a)\s*(?:el\s+|the\s+|la\s+)?$"
)


@dataclass
class _Date:
    start: int
    end: int
    value: date | None  # None: looked like a date but is not one (2/30)
    explicit_year: bool = False
    by: bool = False  # "by …", "hasta …": a deadline


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month(day: int, month: int, year: int | None, today: date) -> tuple[date | None, bool]:
    if year is not None:
        if year < 100:
            year += 2000
        return _safe_date(year, month, day), True
    found = _safe_date(today.year, month, day)
    if found is None:
        found = _safe_date(today.year + 1, month, day)  # 29 Feb
        return found, False
    if found < today:
        found = _safe_date(today.year + 1, month, day)
    return found, False


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _next_weekday(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def _friday_of_week(day: date) -> date:
    return day + timedelta(days=4 - day.weekday())


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word, 0)


def _find_dates(text: str, today: date, language: str) -> tuple[str, list[_Date]]:
    """Dates in the folded text, and the text with each date (and times of day) masked out."""
    found: list[_Date] = []
    chars = list(text)
    current = [text]  # "".join(chars), rebuilt only after a date is masked

    def take(match: re.Match[str], value: date | None, explicit: bool = False) -> None:
        start, end = match.span()
        if text[end - 1 : end] == "." and text[end : end + 1] in ("", " ", "\n"):
            end -= 1  # "el 4 de diciembre. El encargado…": the sentence ends there
        found.append(_Date(start, end, value, explicit))
        chars[start:end] = "_" * (end - start)
        current[0] = ""

    def scan(pattern: re.Pattern[str]) -> list[re.Match[str]]:
        if not current[0] and chars:
            current[0] = "".join(chars)
        return list(pattern.finditer(current[0]))

    for m in scan(_ISO):
        take(m, _safe_date(int(m[1]), int(m[2]), int(m[3])), True)
    for m in scan(_MONTH_DAY):
        if m[1] == "may" and m.start(1) > 0 and not m[3]:
            # "it may 2…" is not a date; "May 2" at a sentence start or after "by"/"on" is.
            words_before = text[: m.start(1)].rstrip().split()
            if words_before and words_before[-1] not in (
                "by",
                "on",
                "until",
                "before",
                "the",
                "of",
                "de",
            ):
                continue
        value, explicit = _day_month(int(m[2]), _MONTHS[m[1]], int(m[3]) if m[3] else None, today)
        take(m, value, explicit)
    for m in scan(_DAY_MONTH):
        if m[3] in ("may", "mar", "set") and not m[2]:
            after = text[m.end() :].lstrip()
            if after[:1].isalpha():  # "2 may need…", "2 mar…": not a date
                continue
        value, explicit = _day_month(int(m[1]), _MONTHS[m[3]], int(m[4]) if m[4] else None, today)
        take(m, value, explicit)
    for m in scan(_NUMERIC):
        first, second = int(m[1]), int(m[2])
        month, day = (second, first) if language.startswith("es") else (first, second)
        if not (1 <= month <= 12) and 1 <= day <= 12:
            month, day = day, month  # "25/12" in English can only be day/month
        year = int(m[3]) if m[3] else None
        if 1 <= month <= 12:
            value, explicit = _day_month(day, month, year, today)
        else:
            value, explicit = None, False
        take(m, value, explicit)
    for m in scan(_END_OF_MONTH_NAMED):
        month = _MONTHS[m[1]]
        year = today.year if month >= today.month else today.year + 1
        take(m, _month_end(year, month))
    for m in scan(_MID_MONTH):
        value, _explicit = _day_month(15, _MONTHS[m[1]], None, today)
        take(m, value)
    for m in scan(_END_NEXT_WEEK):
        take(m, _friday_of_week(today) + timedelta(days=7))
    for m in scan(_END_WEEK):
        friday = _friday_of_week(today)
        take(m, friday if friday > today else friday + timedelta(days=7))
    for m in scan(_NEXT_WEEK):
        take(m, _friday_of_week(today) + timedelta(days=7))
    for m in scan(_END_NEXT_MONTH):
        nxt = _add_months(today.replace(day=1), 1)
        take(m, _month_end(nxt.year, nxt.month))
    for m in scan(_END_MONTH):
        month_end = _month_end(today.year, today.month)
        if month_end <= today:
            nxt = _add_months(today.replace(day=1), 1)
            month_end = _month_end(nxt.year, nxt.month)
        take(m, month_end)
    for m in scan(_END_YEAR):
        year_end = date(today.year, 12, 31)
        take(m, year_end if year_end > today else date(today.year + 1, 12, 31))
    for m in scan(_IN_COUNT):
        amount = _count(m[1] or m[3])
        unit = m[2] or m[4]
        if not 0 < amount <= 24:
            continue
        if unit.startswith(("day", "dia")):
            take(m, today + timedelta(days=amount))
        elif unit.startswith(("week", "semana")):
            take(m, today + timedelta(weeks=amount))
        else:
            take(m, _add_months(today, amount))
    for m in scan(_TOMORROW):
        take(m, today + timedelta(days=2 if m[0].startswith("pasado") else 1))
    for m in scan(_WEEKDAY):
        name = m[2] or m[4]
        weekday = _next_weekday(today, _WEEKDAYS[name])
        modifier = m[1] or ""
        following = m[3] or ""
        if "semana" in following or "next week" in following:
            weekday = _friday_of_week(today) + timedelta(days=7 + _WEEKDAYS[name] - 4)
        elif modifier == "next" and weekday.isocalendar()[1] == today.isocalendar()[1]:
            weekday += timedelta(days=7)
        take(m, weekday)
    for m in scan(_DAY_OF_MONTH):
        day_number = int(m[1] or m[2])
        candidate = _safe_date(today.year, today.month, day_number)
        if candidate is None or candidate <= today:
            nxt = _add_months(today.replace(day=1), 1)
            candidate = _safe_date(nxt.year, nxt.month, day_number)
        take(m, candidate)
    for m in scan(_TIME):
        time_start, time_end = m.span()
        chars[time_start:time_end] = "_" * (time_end - time_start)

    masked = "".join(chars)
    for found_date in found:
        before = masked[max(0, found_date.start - 40) : found_date.start]
        found_date.by = bool(_DATE_CUE_BEFORE.search(before)) or bool(
            re.match(r"\s*(?:by|until|para|hasta|a|al)\b", text[found_date.start : found_date.end])
        )
        if _INSTEAD.search(before):
            found_date.value = date.min  # the old date being replaced: not a new one
    found.sort(key=lambda d: d.start)
    return masked, found


# --- intents -----------------------------------------------------------------------------------

_DONE = re.compile(
    r"\b(?:done|finished|completed|complete|did (?:it|that|this|them)|sent (?:it|them|that|this)|"
    r"submitted|delivered|taken care of|took care of (?:it|that|this|them)|wrapped up|"
    r"list[oa]s?|terminad[oa]s?|termine|terminamos|completad[oa]s?|completamos|"
    r"finalizad[oa]s?|finalice|finalizamos|(?:ya\s+)?(?:lo|la|los|las)\s+hice|"
    r"(?:ya\s+)?(?:lo|la|los|las)\s+hicimos|ya esta|ya quedo|quedo list[oa]|"
    r"(?:ya\s+)?(?:lo|la|los|las)\s+envie|ya (?:esta\s+)?enviad[oa]|esta enviad[oa]|"
    r"entregad[oa]s?|(?:ya\s+)?(?:lo|la)\s+entregue|cumplid[oa]s?|"
    r"(?:esta|ya esta|ya|quedo|(?:ya\s+)?(?:lo|la|los|las)\s+(?:he|hemos))\s+hech[oa]s?)\b"
)
# Words before a done-word that make it not (yet) done: negation, hope, future, "almost".
_NOT_YET_BEFORE = re.compile(
    r"\b(?:not|no|never|nor|without|yet|almost|nearly|hardly|barely|mostly|partly|partially|"
    r"half|will|shall|gonna|going|to|should|would|could|might|may|must|hope|hopefully|plan|"
    r"planning|expect|expecting|soon|once|when|whenever|if|until|unless|before|after|need|needs|"
    r"have|has|be|get|gets|getting|trying|try|want|wish|pending|awaiting|waiting|close|far|"
    r"nunca|ni|sin|todavia|aun|casi|punto|falta|faltan|faltaria|por|para|va|voy|vamos|van|iba|"
    r"estara|estaran|estare|estaremos|sera|seria|quedara|quedaran|tendre|tendremos|tendra|"
    r"tendran|tendria|tenerlo|tenerla|voy a tener|espero|esperamos|ojala|cuando|si|hasta|"
    r"antes|despues|"
    r"pronto|pendiente|necesito|tengo|hay|debo|quiero|puede|pueda|podria|medio|well|isnt|"
    r"arent|wasnt|havent|hasnt|wont|dont|didnt|cant)\b|n't\b|'ll\b|'d\b"
)
_NOT_YET_AFTER = re.compile(
    r"^\W*(?:\w+\W+){0,2}?(?:yet|soon|by|before|until|till|para|hasta|antes|pronto|todavia|"
    r"half|part|partly|partially|some|most|la mitad|en parte|a medias|para|desde)\b"
    r"|^\W*(?:\w+\W+){0,2}?\d+\s*%"
)
_NEGATION_BEFORE = re.compile(
    r"\b(?:not|no|never|without|nunca|ni|sin|if|si|unless|whether|in case|en caso)\b|n't\b"
)

_IN_PROGRESS = re.compile(
    r"\b(?:on track|in progress|working on(?: it)?|still (?:working|looking|searching|trying|"
    r"going|on it|at it)|underway|under way|started|"
    r"begun|ongoing|progressing|making progress|(?:good|some|great) progress|going (?:well|fine|"
    r"ok|okay|good|great)|on it|halfway|half way|half done|not yet|getting there|coming along|"
    r"moving along|in the works|on schedule|on time|en proceso|en progreso|en curso|en marcha|"
    r"avanzando|(?:voy|vamos|va|van) bien|bien encaminad[oa]s?|trabajando en(?: ello)?|"
    r"(?:estoy|estamos) en (?:ello|eso)|empece|empezamos|comence|comenzamos|iniciad[oa]|"
    r"a medias|a la mitad|todavia no|aun no|en camino|a tiempo|segun lo previsto|"
    r"waiting (?:on|for)|awaiting|(?:estoy|estamos|seguimos|sigo|sigue|siguen)? ?esperando|"
    r"en espera|a la espera)\b"
)
_IN_PROGRESS_SELF_NEGATED = re.compile(r"^(?:not yet|todavia no|aun no)$")
_NEED_HELP = re.compile(
    r"\b(?:need(?:s|ed)?|could use|would like|want|require|requires)\s+(?:some |a little |"
    r"a bit of |your |more |extra |a |an )?(?:help|support|assistance|hand|input|guidance|"
    r"advice)\b|"
    r"\bhelp (?:needed|wanted|please)\b|\b(?:can|could) (?:you|someone|somebody|anyone|"
    r"y'?all) help\b|\bplease help\b|\bhelp (?:me|us)\b|\b(?:looking for|ask(?:ing)? for|"
    r"requesting) help\b|\bnecesit(?:o|amos|a|aria|ariamos|an)\s+(?:de\s+)?(?:un poco de |"
    r"algo de |mas |tu |su |una )?(?:ayuda|apoyo|mano|asistencia|orientacion|consejo)\b|"
    r"\b(?:me|nos) (?:pueden|podrian|puedes|podrias|podran) (?:ayudar|apoyar|echar una mano)\b|"
    r"\bpueden ayudarme\b|\bayudenme\b|\bayuda,? por favor\b|\bpid(?:o|iendo) ayuda\b|"
    r"\brequiero (?:ayuda|apoyo)\b|\bme vendria bien (?:ayuda|una mano|apoyo)\b"
)
_HELP_ALONE = re.compile(r"^\W*(?:help|ayuda|sos)\W*$")
_BLOCKED = re.compile(
    r"\b(?:blocked|blocking|stuck|on hold|held up|stalled|roadblock|bottleneck|hit a wall|"
    r"(?:can ?not|can't|cant|unable to|couldn't|could not) (?:move forward|proceed|continue|"
    r"progress|go on|go ahead|get it done|finish|complete|advance)|"
    r"bloquead[oa]s?|trabad[oa]s?|estancad[oa]s?|atascad[oa]s?|detenid[oa]s?|frenad[oa]s?|"
    r"en pausa|paralizad[oa]s?|no (?:puedo|podemos|se puede|pude|pudimos) "
    r"(?:avanzar|seguir|continuar|terminar|completar|hacerlo)|sin poder avanzar)\b"
)
_DROP = re.compile(
    r"\b(?:drop(?:ped|ping)?(?= *(?:it|this|that|them|the commitment|(?:item |number |# ?)?\d|"
    r"[.!,;]|$))|(?:please|let's|lets|can|we|i|we'll|i'll|you can|should) drop\b|"
    r"cancel(?:l?ed|ling)?(?= *(?:it|this|that|them|(?:item |number |# ?)?\d|[.!,;]|$))|"
    r"(?:please|let's|lets|can|we|i|you can|should) cancel\b|"
    r"no longer (?:needed|relevant|necessary|happening|applies|applicable|possible|going ahead)|"
    r"(?:is|it's|its|that's) not (?:going to|gonna) happen|won't happen|not happening|"
    r"(?:won't|will not|can't|cannot|not going to|aren't going to|are not going to) "
    r"(?:do|be doing|pursue|continue with|go ahead with) (?:it|this|that)|"
    r"(?:remove|delete) (?:it|this|that)|take (?:it|this|that) off|scrap(?:ped)? (?:it|this|that)|"
    r"abandon(?:ed|ing)?|giv(?:e|ing) up on|decided not to|withdraw(?:ing)?|"
    r"cancelar(?:lo|la)?|cancelad[oa]s?|cancelalo|cancelemos|(?:lo|la) cancel(?:o|e|amos)|"
    r"eliminar(?:lo|la)?|quitar(?:lo|la)?|borrar(?:lo|la)?|descartad[oa]s?|"
    r"descart(?:ar|en|a|e|emos|amos)(?:lo|la|los|las)?|cancel(?:en|a)(?:lo|la|los|las)?|"
    r"(?:elimin|quit|borr|saqu)(?:en|a|e|emos)(?:lo|la|los|las)|"
    r"abandonar(?:lo|la)?|dejarlo|lo dejamos|no (?:lo |la )?(?:voy|vamos) a hacer|"
    r"no se (?:va a hacer|hara)|ya no (?:es necesario|hace falta|aplica|va|se hara|"
    r"lo haremos|lo vamos a hacer|lo voy a hacer|tiene sentido)|no va mas|desisti(?:mos)?)\b"
)
# Asking for another date without giving one.
_WANTS_DATE = re.compile(
    r"\b(?:new date|nueva fecha|more time|mas tiempo|extension|extend|prorroga|postpone|"
    r"posponer|pospon|aplazar|reschedule|reprogramar|push (?:it |this )?(?:back|out)|"
    r"move (?:it|this) (?:back|later)|need more days|mover(?:lo|la)? (?:la fecha|para)|"
    r"cambiar (?:la )?fecha|change the (?:due )?date)\b"
)
# With another intent, a date counts as the new due date only after these words.
_RESCHEDULE = re.compile(
    r"\b(?:new date|nueva fecha|more time|mas tiempo|extension|extend|prorroga|postpone|"
    r"posponer|pospon\w*|aplaz\w+|reschedul\w+|reprogram\w+|push\w*|mov(?:e|ed|ing|er)|pasar|"
    r"delay\w*|retras\w+|atras\w+|late|later|behind|tarde|need until|necesito hasta|"
    r"pas(?:o|amos|emos|alo|arlo|arla)|"
    r"cambiar|change)\b"
)

# Saying when the commitment will be complete: a date with these is its new due date ("I'll
# have it ready Friday", "lo tendré listo el viernes"); a date without them ("the contract
# arrives Monday") is only part of the note.
_COMPLETES = re.compile(
    r"\b(?:(?:will|'ll|shall|should|going to|gonna|expect to|hope to|plan to|aim to|can|could)\s+"
    r"(?:(?:have|get)\s+(?:it|this|that|them)\s+)?(?:be\s+)?(?:done|ready|finished|complete|"
    r"completed|wrapped up|finish|complete|wrap(?: it)? up|deliver|send|submit|close)|"
    r"(?:have|get)\s+(?:it|this|that|them)\s+(?:done|ready|finished|completed|booked|sent)|"
    r"finish(?:ing)?\s+(?:it|this|that|them)?|due|deadline|"
    r"(?:lo|la|los|las)\s+(?:tendre|tendremos|tendra|tengo|tenemos|termino|terminamos|"
    r"terminare|terminaremos|entrego|entregamos|entregare|envio|enviamos|enviare|cierro)|"
    r"(?:estara|estaran|quedara|quedaran|va\s+a\s+estar|van\s+a\s+estar)\s+(?:list[oa]s?|"
    r"terminad[oa]s?|hech[oa]s?|completad[oa]s?|enviad[oa]s?)|(?:tendre|tendremos)\s+"
    r"(?:list[oa]s?|terminad[oa]s?)|(?:voy|vamos)\s+a\s+(?:terminar|tenerlo|tenerla|"
    r"entregar|enviar)|(?:termino|terminamos|terminare|terminaremos)\b)"
)
# Words around a date that leave it the whole message ("Friday works", "el 15 mejor").
_DATE_ONLY = _words(
    "works work ok okay fine please better instead sirve mejor bien me for mi would should "
    "could be then entonces maybe quizas probably probablemente hopefully ojala it lo this "
    "that esto eso one uno porfa would"
)

# Number references: "1", "#2", "item 2", "el 2", "nº 2", "2nd", "the first one".
_REF_MARKED = re.compile(
    r"(?:#|\bn[o]\.|\bno\.|\bnum(?:ero|ber)?\.?|\bitems?|\bpoints?|\bpuntos?|\btasks?|\btareas?|"
    r"\bcommitments?|\bcompromisos?)\s*(\d{1,3})\b"
)
_REF_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3})(?:st|nd|rd|th|o)?(?![\w]|[.,]\d|\s*%)")
_REF_ORDINAL = re.compile(
    r"\b(?:the\s+)?(first|second|third|fourth|fifth|last)(?:\s+one)?\b(?=\s*(?:one|item|"
    r"commitment|task|is|was|are|:|,|\.|$|\s(?:done|finished|completed|blocked|need)))"
    r"|\b(?:el|la)\s+(primer[oa]?|segund[oa]|tercer[oa]?|cuart[oa]|quint[oa]|ultim[oa])\b"
)
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
    "primero": 1, "primera": 1, "primer": 1, "segundo": 2, "segunda": 2, "tercero": 3,
    "tercera": 3, "tercer": 3, "cuarto": 4, "cuarta": 4, "quinto": 5, "quinta": 5,
}  # fmt: skip
_QUANTITY_AFTER = re.compile(
    r"^\s*(?:%|percent|por ?ciento|x\b|days?\b|weeks?\b|months?\b|years?\b|hours?\b|hrs?\b|"
    r"minutes?\b|mins?\b|people\b|persons?\b|personas\b|dias\b|semanas?\b|mes(?:es)?\b|anos?\b|"
    r"horas?\b|minutos?\b|veces\b|times\b|more\b|mas\b|of\b|out\b|euros?\b|dollars?\b|usd\b|"
    r"pesos\b|k\b|partners?\b|socios?\b|[-/]\s*\d)"
)
_FILLER = _words(
    "and y e & also too tambien as well plus the el la lo los las item items number "
    "numbers num numero point punto task tarea commitment compromiso re about "
    "regarding with for on con sobre en de del al a to of as respecto cuanto is es "
    "esta are son ok okay so then luego ademas please por favor "
)
_ALL_WORDS = _words("all both everything todos todas todo ambos ambas ")
_ALL_RESIDUE = _words(
    "all both everything todos todas todo ambos ambas of them it three four items "
    "commitments tasks is are were was have has been los las dos tres cuatro "
    "compromisos tareas estan esta son ya the "
)
_NUMBER_WORD_REFS = {"one": 1, "two": 2, "three": 3, "uno": 1, "dos": 2, "tres": 3}
_WORD = re.compile(r"[a-z0-9']+")
_PIECE_SPLIT = re.compile(r"[.!?]+(?=\s|$)|;|(?<=\S)\s+(?=\d{1,2}[):](?!\d))")
_BARE_NUMBER = re.compile(r"^\s*\d{1,2}\s*$")
_CLAUSE_SPLIT = re.compile(
    r",|:|\s[-–]\s|\b(?:and|but|then|also|plus|pero|luego|ademas|tambien|aunque|though|"
    r"although|y|e)\b|&"
)
_STOP = (
    _words(
        "with that this from have will about their there what when which would could "
        "should them they your yours done help need needs blocked block drop date dates "
        "finished complete completed still more time week weeks month months next last "
        "first second third thanks thank please today tomorrow track progress working "
        "work going good well just also into over after before until really some much "
        "very been were being does doing make made para como esta este estos estas pero "
        "todo toda todos todas porque cuando donde ayuda necesito listo lista hecho "
        "terminado semana semanas mismo misma algo nada gracias favor proximo proxima "
        "fecha desde hasta sobre entre tengo tenemos hacer puedo podemos quiero estoy "
        "estamos bien sigo hola saludos the and los las del con que una uno unos unas "
    )
    | frozenset(_MONTHS)
    | frozenset(_WEEKDAYS)
)


# Words around an answer that say nothing about a commitment: greetings, thanks, apologies for
# the delay, sign-offs, "ok", "quick update" (folded text, a whole clause).
_PLEASANTRY = re.compile(
    r"(?:hi|hello|hey|hiya|hola|buenas|buen dia|buenos dias|buenas tardes|buenas noches|"
    r"good (?:morning|afternoon|evening)|dear|estimad[oa]s?|querid[oa]s?)(?: [a-z'.]+){0,3}|"
    r"(?:many |much )?thanks?(?: you)?(?: so much| very much| a lot| again| all| everyone)?"
    r"(?: for (?:the|your|this|all) (?:reminder|email|message|note|nudge|patience|help|"
    r"follow[- ]?up|check[- ]?in|support|work))?|thx|ty|much appreciated|appreciate it|"
    r"(?:muchas |mil )?gracias(?: de nuevo| otra vez| a todos)?(?: por (?:el|la|tu|su|este|"
    r"esta|todo|tu|vuestra) ?(?:recordatorio|correo|mensaje|aviso|paciencia|ayuda|seguimiento|"
    r"apoyo)?)?|(?:have|enjoy) (?:a )?(?:good|great|nice|lovely|wonderful) (?:day|weekend|week|"
    r"evening|one)|(?:que )?(?:tengas?|tengan|pases?|pasen|disfrutes?|disfruten)? ?(?:un |una )?"
    r"(?:buen|buena|feliz|lindo|linda|excelente) (?:dia|fin de semana|finde|semana|tarde)|"
    r"(?:sorry|apologies|my apologies|perdon|perdona|perdone|disculpa|disculpe|disculpen|"
    r"lo siento)(?: (?:for|por) (?:the |my |la |el |mi )?(?:delay|late (?:reply|response|"
    r"answer)|slow (?:reply|response)|tardanza|demora|retraso|respuesta tardia))?|"
    r"hope (?:you(?:'re| are)|all is|everything is|this finds you) (?:well|good|great|doing well)|"
    r"espero que (?:estes|este|esten|todo (?:este|vaya|va)) bien|best|regards|kind regards|"
    r"best regards|warm regards|warmly|cheers|take care|talk soon|speak soon|"
    r"see you(?: soon| then| there| at the meeting| next week)?|nos vemos(?: pronto| en la "
    r"reunion)?|hablamos|saludos(?: cordiales)?|un saludo|abrazos?|un abrazo|atentamente|"
    r"cordialmente|ok|okay|sure|yes|si|claro|de acuerdo|perfect|perfecto|great|genial|noted|"
    r"got it|understood|entendido|will do|(?:quick |short |brief )?update|(?:mi |una )?"
    r"actualizacion|fyi|see below|see my answers below|answers below|ver abajo|respuestas abajo|"
    r"aqui va|here(?:'s| is) (?:my|an|the) update|te cuento|les cuento|le cuento|"
    r"hope you (?:had|have|are having|enjoyed) (?:a )?(?:good|great|nice|lovely|wonderful) "
    r"(?:weekend|week|day|holiday|holidays|break|trip)|happy (?:friday|monday|new year|holidays)|"
    r"(?:good|great) news|buenas noticias|feliz (?:viernes|lunes|ano nuevo)|"
    r"(?:let me|let us|please let me) know if (?:you need anything(?: else)?|you have (?:any )?"
    r"questions|there(?:'s| is) anything(?: else)?(?: you need)?|anything changes)|"
    r"(?:feel free to|don't hesitate to|do not hesitate to) (?:reach out|contact me|call me|ask)|"
    r"(?:any|if you have any) questions?(?:,? let me know)?|"
    r"(?:cualquier (?:cosa|duda|consulta)|si necesitas? algo(?: mas)?)(?:,? (?:me )?"
    r"(?:avisas|avisa|avisan|escribes|dices|me dices|quedo atent[oa]))?|quedo atent[oa]|"
    r"avisame si necesitas algo(?: mas)?"
)
_NAME_ONLY = re.compile(r"[A-ZÁÉÍÓÚÑ][\w'’.-]*(?:\s+[A-ZÁÉÍÓÚÑ][\w'’.-]*){0,2}")
# "The other one", "el otro": a commitment the reply does not name.
_OTHER = re.compile(
    r"\b(?:the other(?: one| thing| item| commitment| task|s)?|(?:the )?rest of (?:them|it)|"
    r"the rest|el otro|la otra|lo otro|los otros|las otras|lo demas|los demas|las demas|"
    r"el resto)\b"
)


@dataclass
class _Clause:
    start: int  # in the text
    end: int
    refs: list[int] = field(default_factory=list)
    cues: list[tuple[Action, str]] = field(default_factory=list)  # action, the words read
    date: _Date | None = None
    wants_date: bool = False
    reschedule: bool = False
    completes: bool = False  # says when it will be complete ("I'll have it ready …")
    residue: list[str] = field(default_factory=list)
    unclear: list[str] = field(default_factory=list)
    targets: list[int] = field(default_factory=list)
    continues: bool = False  # neither refs nor cues: words that go with the clause before
    other: bool = False  # "the other one": about a commitment it does not name


@dataclass
class _Said:
    """A sentence of the reply: what it was read to be about, or words read as nothing."""

    start: int
    end: int
    targets: set[int] = field(default_factory=set)
    # (number, index in that number's entries) of the notes this sentence gave
    carriers: list[tuple[int, int]] = field(default_factory=list)
    orphan: bool = False  # no answer, no number, no date: words only
    named: list[int] = field(default_factory=list)  # commitments its words name (title words)


def _words_before(text: str, position: int, count: int = 5) -> str:
    return " ".join(text[max(0, position - 80) : position].split()[-count:])


# Enough for any real clause; a pathological one stays linear.
MAX_MATCHES = 40


def _some(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    return islice(pattern.finditer(text), MAX_MATCHES)


# After a number that opens a clause other than the first of a sentence ("…, 2 need help",
# "…, 3 is blocked"), one of these must follow for it to name a commitment: "…, two halls left"
# counts halls.
_REF_FOLLOW = re.compile(
    r"^\s*(?:$|[:)\-.,;!?_#]|(?:is|was|are|were|has|have|had|will|i|i'm|im|i've|we|we're|"
    r"we've|it|it's|its|still|already|also|too|and|or|y|e|o|es|esta|estan|fue|ya|lo|la|los|"
    r"las|le|me|nos|se|sigue|todavia|aun|no|not|need|needs|necesito|necesitamos|done|"
    r"finished|complete|completed|blocked|stuck|listo|lista|hecho|hecha|terminado|terminada|"
    r"completado|completada|bloqueado|bloqueada|in progress|on track|en progreso|en proceso|"
    r"new|nueva|drop|dropped|please|por favor|by|para|hasta|until|next|proximo|end|fin|sent|"
    r"submitted|cancel\w*|descart\w*|waiting|esperando|the|my|our|this|that|el|mi|nuestr[oa]s?|"
    r"este|esto|eso|hmm+|um+|let's|lets|i'll|we'll|i'd|we'd|about|sobre)\b)"
)
# The word before a number that ends a clause and names a commitment ("drop 3", "done with 1
# and 2", "descarten el 2", "need help with 2"); "the hall only takes 80" counts seats.
_REF_ANCHOR = re.compile(
    r"drop|dropped|cancel\w*|done|finished|completed?|help|ayuda|date|fecha|remove|delete|"
    r"scrap|descart\w*|elimin\w*|quit\w*|borr\w*|list[oa]s?|hech[oa]s?|terminad[oa]s?|termine|"
    r"completad[oa]s?|bloquead[oa]s?|blocked|stuck|progress|track|progreso|proceso|sent|"
    r"submitted|finish|finalice|envie|entregue|hice|about|regarding|re|sobre|respecto|update"
)
# A phone number ("(312) 555-0142", "+44 (0) 20 …") is never a commitment's number.
_PHONE_AFTER = re.compile(r"^\)?[\s.\-]*\d{2,}")


def _read_refs(clause: str, *, first: bool = True) -> tuple[list[int], list[tuple[int, int]]]:
    """Commitment numbers a clause names, and their spans. A number names a commitment when it
    opens the clause ("1 done", "#2 …", "el 2 …", "2: …") or, after a word of an answer, ends
    it ("drop 3", "done with 1 and 2"); a number inside a sentence is a quantity."""
    refs: list[tuple[int, int, int]] = []
    taken: list[tuple[int, int]] = []

    def placed(start: int, end: int, *, plain: bool) -> bool:
        """At the start of the clause (any number in the first clause of a sentence; after,
        only when words of an answer follow), or at its end after a word of an answer."""
        if start > 80 or len(clause) - end > 80:
            return False
        before = _WORD.findall(clause[:start])
        if all(w in _FILLER for w in before):
            if first and not plain:
                return True
            return bool(_REF_FOLLOW.match(clause[end : end + 40]))
        after = _WORD.findall(clause[end:])
        if not all(w in _FILLER or w in ("please", "porfa") for w in after):
            return False
        meaning = [w for w in before if w not in _FILLER and not w.isdigit()]
        return bool(meaning) and bool(_REF_ANCHOR.fullmatch(meaning[-1]))

    for m in _some(_REF_MARKED, clause):
        if int(m[1]) > 0:
            refs.append((m.start(), int(m[1]), m.end()))
            taken.append(m.span())
    for m in _some(_REF_ORDINAL, clause):
        if not placed(m.start(), m.end(), plain=False):
            continue
        word = m[1] or m[2]
        refs.append((m.start(), -1 if word.startswith(("last", "ultim")) else _ORDINALS[word], 0))
        taken.append(m.span())
    for m in _some(_REF_NUMBER, clause):
        if any(s <= m.start() < e for s, e in taken) or not 0 < int(m[1]) < 100:
            continue
        rest = clause[m.end() : m.end() + 40]
        if _QUANTITY_AFTER.match(rest) or _PHONE_AFTER.match(rest):
            continue
        if placed(m.start(), m.end(), plain=not first):
            refs.append((m.start(), int(m[1]), m.end()))
            taken.append(m.span())
    words = _WORD.findall(clause)
    if words and words[0] in _NUMBER_WORD_REFS:
        position = clause.index(words[0])
        end = position + len(words[0])
        rest = clause[end : end + 40]
        if not _QUANTITY_AFTER.match(rest) and _REF_FOLLOW.match(rest):
            refs.append((position, _NUMBER_WORD_REFS[words[0]], end))
            taken.append((position, end))
    refs.sort()
    return [number for _, number, _ in refs], taken


def _scan_clause(
    clause: str, offset: int, dates: list[_Date], *, question: bool = False, first: bool = True
) -> _Clause:
    """Everything a clause says, from the masked, folded clause text (`first`: the clause
    opens its sentence)."""
    found = _Clause(offset, offset + len(clause))
    refs, ref_spans = _read_refs(clause, first=first)
    found.refs = refs
    spans: list[tuple[int, int]] = list(ref_spans)

    def negated(start: int, pattern: re.Pattern[str]) -> bool:
        return bool(pattern.search(_words_before(clause, start)))

    for m in _some(_DONE, clause):
        spans.append(m.span())
        word = m[0]
        if word.endswith(("hecho", "hecha", "hechos", "hechas")) and word.startswith("hech"):
            continue  # bare "hecho" only counts alone (below)
        if question:
            found.unclear.append(word)  # "is it done?" asks, it does not say
        elif negated(m.start(), _NOT_YET_BEFORE) or _NOT_YET_AFTER.match(
            clause[m.end() : m.end() + 60]
        ):
            found.cues.append((Action.IN_PROGRESS, word))
        else:
            found.cues.append((Action.DONE, word))
    residue_text = clause
    for s, e in sorted(ref_spans, reverse=True):
        residue_text = residue_text[:s] + " " * (e - s) + residue_text[e:]
    residue_words = [w for w in _WORD.findall(residue_text) if w not in _FILLER]
    said_done = bool(found.cues) or bool(found.unclear)
    if residue_words in (["hecho"], ["hecha"], ["hechos"], ["hechas"]) and not said_done:
        if question:
            found.unclear.append(residue_words[0])
        else:
            found.cues.append((Action.DONE, residue_words[0]))
    for m in _some(_IN_PROGRESS, clause):
        spans.append(m.span())
        if _IN_PROGRESS_SELF_NEGATED.match(m[0]) or not negated(m.start(), _NEGATION_BEFORE):
            found.cues.append((Action.IN_PROGRESS, m[0]))
        else:
            found.unclear.append(m[0])
    for m in _some(_NEED_HELP, clause):
        spans.append(m.span())
        if not negated(m.start(), _NEGATION_BEFORE):
            found.cues.append((Action.NEED_HELP, m[0]))
    if _HELP_ALONE.match(residue_text):
        found.cues.append((Action.NEED_HELP, residue_text.strip(" .!")))
    for m in _some(_BLOCKED, clause):
        spans.append(m.span())
        if m[0].startswith("no ") or not negated(m.start(), _NEGATION_BEFORE):
            found.cues.append((Action.BLOCKED, m[0]))
    for m in _some(_DROP, clause):
        spans.append(m.span())
        spanish_no = m[0].startswith(("no ", "ya no"))
        if spanish_no or not negated(m.start(), _NEGATION_BEFORE):
            found.cues.append((Action.DROP, m[0]))
    found.wants_date = bool(_WANTS_DATE.search(clause))
    found.reschedule = bool(_RESCHEDULE.search(clause))
    found.completes = bool(_COMPLETES.search(clause))
    other = _OTHER.search(clause)
    if other and not refs:
        found.other = True
        found.unclear.append(other[0])
    for s, e in spans:
        residue_text = residue_text[:s] + " " * (e - s) + residue_text[e:]
    found.residue = [w for w in _WORD.findall(residue_text.replace("_", " ")) if w not in _FILLER]
    in_clause = [
        d for d in dates if offset <= d.start < offset + len(clause) and d.value != date.min
    ]
    if in_clause:
        last = in_clause[-1]
        # A date is about the commitment's completion only when the words say so: a deadline
        # ("by", "until", "para el"), moving it, finishing it, or the date alone.
        if (
            last.by
            or found.wants_date
            or found.reschedule
            or found.completes
            or all(w in _DATE_ONLY for w in found.residue)
        ):
            found.date = last
    return found


def _stems(text: str) -> set[str]:
    stems: set[str] = set()
    for word in _WORD.findall(text):
        if len(word) < 4 or word in _STOP or word.isdigit():
            continue
        stems.add(_stem(word))
    return stems


def _stem(word: str) -> str:
    if len(word) > 5 and word.endswith("es"):
        word = word[:-2]
    elif len(word) > 4 and word.endswith("s"):
        word = word[:-1]
    return word[:6]


def _fmt(template: str, **values: object) -> str:
    return template % values


def read_reply(
    text: str, listed: Sequence[Listed], *, today: date, language: str = "en"
) -> Reading:
    """What the reply says, with confidence, about the listed commitments (module docstring)."""
    try:
        return _read(text, list(listed), today, language or "en")
    except Exception:
        return Reading((), True, gettext("The reply could not be read."))


def _prepare(text: str) -> str:
    lines = [
        line
        for line in str(text)[:MAX_CHARS].replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if not _QUOTED_LINE.match(line) and not _NAG_LINE.match(line)
    ]
    prepared = "\n".join(lines)
    return _URL.sub(lambda m: " " * len(m[0]), prepared)


def _read(text: str, listed: list[Listed], today: date, language: str) -> Reading:
    original = _prepare(text)
    folded = original.translate(_FOLD)
    if len(folded) != len(original):  # cannot happen with the table above; stay safe
        folded = original.lower()
        if len(folded) != len(original):
            folded = original
    masked, dates = _find_dates(folded, today, language)
    by_number = {item.number: item for item in listed}
    reasons: list[str] = []
    # The commitments each part not understood may be about; () when it names none.
    concerns: list[tuple[int, ...]] = []
    # number -> [(action, note, new date)]
    wanted: dict[int, list[tuple[Action, str, date | None]]] = {}
    title_stems = {item.number: _stems(item.what.translate(_FOLD)) for item in listed}

    def reason(message: str, about: Sequence[int] = ()) -> None:
        concerns.append(tuple(n for n in about if n in by_number))
        if message not in reasons:
            reasons.append(message)

    def note_end(clauses: list[_Clause], index: int) -> int:
        end = clauses[index].end
        for nxt in clauses[index + 1 :]:
            if not nxt.continues:
                break
            end = nxt.end
        return end

    def note_text(start: int, end: int) -> str:
        words = _NOTE_LEAD.sub("", original[start:end])
        return " ".join(words.strip(" \t,;:-–—").split())[:NOTE_MAX]

    def title_match(span_text: str) -> list[int]:
        stems = _stems(span_text)
        return [n for n, own in title_stems.items() if stems & own]

    seen_numbers: set[int] = set()
    acted_numbers: set[int] = set()
    said: list[_Said] = []
    weak_dates: set[tuple[int, date]] = set()
    line_start = 0
    for line in masked.split("\n"):
        carry: list[int] = []
        pieces: list[tuple[int, int]] = []
        last = 0
        for m in _PIECE_SPLIT.finditer(line):
            if not m[0].strip():
                # "descarten el 2: …", "done with 2: …": the number goes with the words before.
                before = _WORD.findall(line[max(last, m.start() - 30) : m.start()])
                if before and before[-1] in _FILLER:
                    continue
            pieces.append((last, m.start()))
            last = m.end()
        pieces.append((last, len(line)))
        # "1. done": a list number is not a sentence of its own.
        for k in range(len(pieces) - 2, -1, -1):
            if _BARE_NUMBER.match(line[pieces[k][0] : pieces[k][1]]):
                pieces[k : k + 2] = [(pieces[k][0], pieces[k + 1][1])]
        for piece_start, piece_end in pieces:
            question = line[piece_end : piece_end + 3].lstrip(".!").startswith("?")
            piece = line[piece_start:piece_end]
            if not piece.strip():
                continue
            clauses: list[_Clause] = []
            cut = 0
            bounds: list[tuple[int, int]] = []
            for m in _CLAUSE_SPLIT.finditer(piece):
                bounds.append((cut, m.start()))
                cut = m.end()
            bounds.append((cut, len(piece)))
            for s, e in bounds:
                chunk = piece[s:e]
                if not chunk.strip():
                    continue
                clauses.append(
                    _scan_clause(
                        chunk,
                        line_start + piece_start + s,
                        dates,
                        question=question,
                        first=not clauses,
                    )
                )
            for clause in clauses:
                clause.continues = not (clause.refs or clause.cues or clause.date or clause.unclear)
            sentence = _Said(line_start + piece_start, line_start + piece_end)
            if not any(c.refs or c.cues or c.date or c.wants_date or c.unclear for c in clauses):
                # Words only. Greetings, thanks and sign-offs say nothing; anything else is
                # settled once the whole reply is read (part of a note, or not understood).
                if all(
                    _PLEASANTRY.fullmatch(_bare(folded[c.start : c.end]))
                    or _NAME_ONLY.fullmatch(_bare(original[c.start : c.end]))
                    or not _LETTER.search(folded[c.start : c.end])
                    for c in clauses
                ):
                    continue
                sentence.orphan = True
                sentence.named = title_match(folded[sentence.start : sentence.end])
                said.append(sentence)
                continue
            said.append(sentence)
            # number -> (where its note starts, its entries holding that note), in this sentence
            noted: dict[int, tuple[int, list[int]]] = {}
            _resolve_piece(
                clauses,
                carry,
                numbers=[item.number for item in listed],
                title_match=title_match,
                piece_text=folded[line_start + piece_start : line_start + piece_end],
                piece_start=line_start + piece_start,
                reason=reason,
                original=original,
                seen_numbers=seen_numbers,
                acted_numbers=acted_numbers,
            )
            for index, clause in enumerate(clauses):
                if not clause.targets:
                    continue
                actions = [a for a, _ in clause.cues]
                end = note_end(clauses, index)
                note = note_text(clause.start, end)
                new_date: date | None = None
                if clause.date is not None and Action.DONE not in actions:
                    if (
                        not actions
                        or clause.reschedule
                        or clause.wants_date
                        or clause.completes
                        or (
                            clause.date.by
                            and Action.IN_PROGRESS in actions
                            and not ({Action.NEED_HELP, Action.BLOCKED} & set(actions))
                        )
                    ):
                        if clause.date.value is None:
                            reason(
                                gettext("A date in the reply could not be read."), clause.targets
                            )
                        else:
                            new_date = clause.date.value
                elif (
                    clause.wants_date
                    and Action.DONE not in actions
                    and not any(c.date for c in clauses)
                ):
                    for number in clause.targets:
                        reason(
                            _fmt(
                                gettext(
                                    "Asks for a new date for commitment %(number)d but gives "
                                    "none that could be read."
                                ),
                                number=number,
                            ),
                            [number],
                        )
                sentence.targets.update(clause.targets)
                for number in clause.targets:
                    entries = wanted.setdefault(number, [])
                    own_note = note
                    earlier = noted.get(number)
                    if note and earlier is not None and set(actions) & _NOTE_CARRIERS:
                        # "Stuck, can't move forward until…": one note in the person's words.
                        own_note = note_text(earlier[0], end)
                        for position in earlier[1]:
                            action, _old, _date = entries[position]
                            entries[position] = (action, own_note, None)
                    for action in dict.fromkeys(actions):
                        if own_note and action in _NOTE_CARRIERS:
                            sentence.carriers.append((number, len(entries)))
                            start = earlier[0] if earlier else clause.start
                            noted.setdefault(number, (start, []))[1].append(len(entries))
                        entries.append((action, own_note, None))
                    if new_date is not None:
                        entries.append((Action.NEW_DATE, "", new_date))
                        if not (clause.wants_date or clause.reschedule or clause.completes):
                            # "Terminado. El salón quedó reservado para el 18": a date that
                            # does not say the work moves gives way to "done".
                            weak_dates.add((number, new_date))
        line_start += len(line) + 1

    _settle_words(said, wanted, set(by_number), original, reason)
    for number in sorted(seen_numbers - acted_numbers):
        if number in by_number:
            reason(
                _fmt(
                    gettext("Mentions commitment %(number)d without saying what about it."),
                    number=number,
                ),
                [number],
            )
    intents: list[Intent] = []
    for number in sorted(wanted):
        item = by_number.get(number)
        if item is None:
            continue
        entries = wanted[number]
        if any(action == Action.DONE for action, _note, _date in entries):
            entries = [e for e in entries if (number, e[2]) not in weak_dates]
        intents.extend(_settle(item, entries, today, functools.partial(reason, about=[number])))
    intents.sort(key=lambda i: (i.number, ACTION_ORDER.index(i.action)))
    if not intents and not reasons:
        if listed:
            reason(gettext("Could not tell what the reply says about the commitments."))
        else:
            reason(gettext("The email this answers listed no commitments."))
    if not intents and not reasons:
        reason(gettext("Could not tell what the reply says about the commitments."))
    unclear = bool(reasons) or not intents
    concerned: tuple[int, ...] = ()
    if unclear and concerns and all(concerns):
        numbers = sorted({n for about in concerns for n in about})
        concerned = tuple(by_number[n].commitment_id for n in numbers)
    return Reading(tuple(intents), unclear, " ".join(reasons), concerned)


# What opens a note but is not the person's news: the number it answers ("2:", "#2", "el 2").
_NOTE_LEAD = re.compile(
    r"^[\s,:;.\-–—)]*(?:(?:#|item|number|n[º°o]\.?|el|la)\s*)?(?:\d{1,2}\b|(?:one|two|three|"
    r"uno|dos|tres)\b(?=\s*(?:[:)\-–—]|is\b|are\b|in\b|on\b|esta\b|está\b|en\b)))"
    r"[\s,:;.\-–—)]*",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[a-z]")  # a clause without one ("👍", a phone number) says nothing
_NOTE_CARRIERS = frozenset({Action.IN_PROGRESS, Action.NEED_HELP, Action.BLOCKED, Action.DROP})


def _bare(text: str) -> str:
    return " ".join(text.strip(" \t,.;:!?¡¿-–—()\"'*_").split())


def _settle_words(
    said: list[_Said],
    wanted: dict[int, list[tuple[Action, str, date | None]]],
    numbers: set[int],
    original: str,
    reason: Callable[..., None],
) -> None:
    """Sentences of words only. After an answer they are its note ("Blocked - the insurance
    company needs a certificate. Their letter is attached.") when it is plain which commitment
    they are about: every listed commitment was answered, or the answer carries a note (need
    help, blocked, in progress, drop) and the words name no other commitment. Before the
    answers, they are context when every commitment was answered. Anything else is not
    understood: the reading is unclear, and names the commitments the words mention."""
    all_answered = bool(numbers) and numbers <= set(wanted)
    previous: _Said | None = None
    for index, sentence in enumerate(said):
        if not sentence.orphan:
            previous = sentence if sentence.targets else None
            continue
        words = " ".join(original[sentence.start : sentence.end].split()).strip(" ,;:-–—")
        if not words:
            continue
        named = set(sentence.named)
        if previous is not None and (
            named <= previous.targets if named else (all_answered or bool(previous.carriers))
        ):
            _extend_notes(wanted, previous.carriers, words, after=True)
            continue
        following = next((s for s in said[index + 1 :] if not s.orphan), None)
        if (
            previous is None
            and following is not None
            and following.targets
            and (named <= following.targets if named else all_answered)
        ):
            _extend_notes(wanted, following.carriers, words, after=False)
            continue
        reason(
            _fmt(gettext("Could not tell what “%(words)s” means."), words=words[:80]),
            sorted(named),
        )


def _extend_notes(
    wanted: dict[int, list[tuple[Action, str, date | None]]],
    carriers: list[tuple[int, int]],
    words: str,
    *,
    after: bool,
) -> None:
    for number, position in carriers:
        action, note, new_date = wanted[number][position]
        joined = f"{note}. {words}" if after else f"{words}. {note}"
        wanted[number][position] = (action, joined[:NOTE_MAX], new_date)


def _resolve_piece(
    clauses: list[_Clause],
    carry: list[int],
    *,
    numbers: list[int],
    title_match: Callable[[str], list[int]],
    piece_text: str,
    piece_start: int,
    reason: Callable[..., None],
    original: str,
    seen_numbers: set[int],
    acted_numbers: set[int],
) -> None:
    """Decide which commitments each clause of a sentence is about (clause.targets)."""
    count = len(numbers)
    pending: list[int] = []  # numbers named alone, waiting for the words that follow
    last_targets: list[int] = []
    mentioned: set[int] = set()
    acted: set[int] = set()
    piece_refs = any(c.refs for c in clauses)
    for index, clause in enumerate(clauses):
        refs = [max(numbers, default=0) if n == -1 else n for n in clause.refs]
        mentioned.update(refs)
        for number in refs:
            if number not in numbers:
                reason(
                    _fmt(
                        gettext(
                            "Mentions number %(number)d but the email listed "
                            "%(count)d commitment(s)."
                        ),
                        number=number,
                        count=count,
                    )
                )
        named_others = bool(refs) and not any(n in numbers for n in refs)
        refs = [n for n in refs if n in numbers]
        has_intent = bool(clause.cues) or clause.date is not None or clause.wants_date
        if named_others:
            continue  # about a number the email did not list: said above
        if clause.other:
            # "And about the other thing, I have to ask my director": which one is not said.
            words = original[clause.start : piece_start + len(piece_text)]
            reason(
                _fmt(
                    gettext("Could not tell what “%(words)s” means."),
                    words=" ".join(words.split()).strip(" ,;:-–—")[:80],
                )
            )
            pending = []
            continue
        if not has_intent:
            if clause.unclear:
                words = original[clause.start : clause.end]
                reason(
                    _fmt(
                        gettext("Could not tell what “%(words)s” means."),
                        words=" ".join(words.split())[:80],
                    ),
                    refs or title_match(words),
                )
            if refs and not clause.residue:
                pending.extend(refs)
            elif refs:
                last_targets = refs
                carry[:] = refs
            continue
        if refs or pending:
            targets = pending + refs
        else:
            targets = []
            end = clause.end
            for nxt in clauses[index + 1 :]:
                if not nxt.continues:
                    break
                end = nxt.end
            words = original[clause.start : end]
            by_title = title_match(words)
            if not by_title and not piece_refs:
                by_title = title_match(piece_text)
                words = piece_text
            if len(by_title) == 1:
                targets = by_title
            elif len(by_title) > 1:
                reason(
                    _fmt(
                        gettext("“%(words)s” could be about more than one commitment."),
                        words=" ".join(words.split())[:80],
                    ),
                    by_title,
                )
                pending = []
                continue
            elif last_targets or carry:
                targets = list(last_targets or carry)
            else:
                targets = _implicit_targets(clause, numbers)
                if not targets:
                    words = clause.cues[0][1] if clause.cues else piece_text.strip()[:40]
                    if count > 1 and not mentioned:
                        reason(
                            _fmt(
                                gettext(
                                    "Says “%(words)s” but the email listed %(count)d "
                                    "commitments: which one?"
                                ),
                                words=words,
                                count=count,
                            )
                        )
                    pending = []
                    continue
        pending = []
        clause.targets = list(dict.fromkeys(targets))
        last_targets = clause.targets
        carry[:] = clause.targets
        acted.update(clause.targets)
    if pending:
        # "Done with 1 and 2": numbers after the words go with the clause before.
        previous = next((c for c in reversed(clauses) if c.targets), None)
        if previous is not None:
            previous.targets = list(dict.fromkeys(previous.targets + pending))
            acted.update(pending)
    seen_numbers.update(mentioned)
    acted_numbers.update(acted)


def _implicit_targets(clause: _Clause, numbers: list[int]) -> list[int]:
    """No number and no title word: "all done" is about all, and one listed is the one."""
    if any(w in _ALL_WORDS for w in clause.residue) and all(
        w in _ALL_RESIDUE for w in clause.residue
    ):
        return list(numbers)
    if len(numbers) == 1:
        return list(numbers)
    return []


def _settle(
    item: Listed,
    entries: list[tuple[Action, str, date | None]],
    today: date,
    reason: Callable[[str], None],
) -> list[Intent]:
    """One commitment's intents from everything said about it; contradictions apply nothing."""
    actions = {entry[0] for entry in entries}
    dates = {d for action, _note, d in entries if action == Action.NEW_DATE and d is not None}
    conflict = (Action.DONE in actions and len(actions) > 1) or (
        Action.DROP in actions and actions - {Action.DROP, Action.IN_PROGRESS}
    )
    if conflict:
        reason(
            _fmt(
                gettext("Says different things about commitment %(number)d."),
                number=item.number,
            )
        )
        return []
    result: list[Intent] = []

    def note_for(*kinds: Action) -> str:
        seen: list[str] = []
        for action, note, _new in entries:
            if action in kinds and note and note not in seen:
                seen.append(note)
        return " ".join(seen)[:NOTE_MAX]

    if Action.DONE in actions:
        return [Intent(item.number, item.commitment_id, Action.DONE, "", None)]
    if Action.DROP in actions:
        note = note_for(Action.DROP, Action.IN_PROGRESS) or str(Action.DROP.label)
        return [Intent(item.number, item.commitment_id, Action.DROP, note, None)]
    if Action.BLOCKED in actions:
        note = note_for(Action.BLOCKED, Action.NEED_HELP, Action.IN_PROGRESS)
        result.append(Intent(item.number, item.commitment_id, Action.BLOCKED, note, None))
    elif Action.NEED_HELP in actions:
        note = note_for(Action.NEED_HELP, Action.IN_PROGRESS)
        result.append(Intent(item.number, item.commitment_id, Action.NEED_HELP, note, None))
    elif Action.IN_PROGRESS in actions:
        note = note_for(Action.IN_PROGRESS)
        result.append(Intent(item.number, item.commitment_id, Action.IN_PROGRESS, note, None))
    if len(dates) > 1:
        reason(
            _fmt(
                gettext("Gives more than one new date for commitment %(number)d."),
                number=item.number,
            )
        )
    elif dates:
        new_date = dates.pop()
        if new_date <= today:
            reason(
                _fmt(
                    gettext(
                        "The new date %(date)s for commitment %(number)d is not in the future."
                    ),
                    date=new_date.isoformat(),
                    number=item.number,
                )
            )
        elif new_date > today + timedelta(days=3 * 366):
            reason(
                _fmt(
                    gettext("The new date %(date)s for commitment %(number)d is too far away."),
                    date=new_date.isoformat(),
                    number=item.number,
                )
            )
        elif new_date != item.due_date:
            result.append(Intent(item.number, item.commitment_id, Action.NEW_DATE, "", new_date))
        elif not result:
            reason(
                _fmt(
                    gettext("The date given for commitment %(number)d is already its due date."),
                    number=item.number,
                )
            )
    return result
