"""The fields a people or partners spreadsheet can fill, how a header is recognised as one of
them, and how a cell's text becomes a value (or a plain-words reason it cannot)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import Choices
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from initiatives.models import (
    Gender,
    ImportBatch,
    Language,
    PartnerOrganization,
    Person,
    RaceEthnicity,
    Sector,
    SizeBand,
)


class CellError(Exception):
    """This cell's text cannot become a value; the message says why."""


def normalize(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: "E-mail " → "e mail"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain).split())


def _text(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise CellError(_("Longer than %(max)s characters.") % {"max": max_length})
        return value

    return parse


def _email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(_("“%(value)s” is not a valid email address.") % {"value": value}) from None
    return value.lower()


YES = {"yes", "y", "true", "t", "1", "x", "si", "oui", "checked"}
NO = {"no", "n", "false", "f", "0", "unchecked"}


def _yes_no(value: str) -> bool:
    word = normalize(value)
    if word in YES:
        return True
    if word in NO:
        return False
    raise CellError(_("“%(value)s” is not yes or no.") % {"value": value})


def _choice(
    choices: type[Choices], aliases: Mapping[str, str], message: Callable[[str], str]
) -> Callable[[str], str]:
    """Match a cell to a choice by its value, its label (in the current language and in
    English), or a common way of writing it; the aliases are also tried as words within it."""

    def parse(value: str) -> str:
        word = normalize(value)
        table = {normalize(str(v)): str(v) for v in choices.values}
        table.update({normalize(str(label)): str(v) for v, label in choices.choices})
        table.update({normalize(a): v for a, v in aliases.items()})
        if word in table:
            return table[word]
        padded = f" {word} "
        for alias, v in aliases.items():
            if f" {normalize(alias)} " in padded:
                return str(v)
        raise CellError(message(value))

    return parse


SECTOR_ALIASES = {
    "non profit": Sector.NONPROFIT,
    "not for profit": Sector.NONPROFIT,
    "npo": Sector.NONPROFIT,
    "charity": Sector.NONPROFIT,
    "public": Sector.PUBLIC_AGENCY,
    "government": Sector.PUBLIC_AGENCY,
    "city": Sector.PUBLIC_AGENCY,
    "county": Sector.PUBLIC_AGENCY,
    "state agency": Sector.PUBLIC_AGENCY,
    "school": Sector.SCHOOL,
    "schools": Sector.SCHOOL,
    "district": Sector.SCHOOL,
    "k 12": Sector.SCHOOL,
    "higher education": Sector.HIGHER_ED,
    "higher ed": Sector.HIGHER_ED,
    "university": Sector.HIGHER_ED,
    "college": Sector.HIGHER_ED,
    "foundation": Sector.FUNDER,
    "philanthropy": Sector.FUNDER,
    "funder": Sector.FUNDER,
    "business": Sector.BUSINESS,
    "corporate": Sector.BUSINESS,
    "company": Sector.BUSINESS,
    "for profit": Sector.BUSINESS,
    "faith": Sector.FAITH,
    "church": Sector.FAITH,
    "grassroots": Sector.GRASSROOTS,
    "community group": Sector.GRASSROOTS,
    "community": Sector.GRASSROOTS,
    "resident association": Sector.RESIDENT_ASSOCIATION,
    "residents association": Sector.RESIDENT_ASSOCIATION,
    "neighborhood association": Sector.RESIDENT_ASSOCIATION,
    "tenant association": Sector.RESIDENT_ASSOCIATION,
    "other": Sector.OTHER,
}

LANGUAGE_ALIASES = {
    "english": Language.ENGLISH,
    "ingles": Language.ENGLISH,
    "eng": Language.ENGLISH,
    "spanish": Language.SPANISH,
    "espanol": Language.SPANISH,
    "castellano": Language.SPANISH,
    "spa": Language.SPANISH,
}

RACE_ALIASES = {
    "american indian": RaceEthnicity.AMERICAN_INDIAN,
    "native american": RaceEthnicity.AMERICAN_INDIAN,
    "alaska native": RaceEthnicity.AMERICAN_INDIAN,
    "asian american": RaceEthnicity.ASIAN,
    "black": RaceEthnicity.BLACK,
    "african american": RaceEthnicity.BLACK,
    "hispanic": RaceEthnicity.HISPANIC,
    "latino": RaceEthnicity.HISPANIC,
    "latina": RaceEthnicity.HISPANIC,
    "latinx": RaceEthnicity.HISPANIC,
    "latine": RaceEthnicity.HISPANIC,
    "middle eastern": RaceEthnicity.MIDDLE_EASTERN,
    "north african": RaceEthnicity.MIDDLE_EASTERN,
    "pacific islander": RaceEthnicity.PACIFIC_ISLANDER,
    "native hawaiian": RaceEthnicity.PACIFIC_ISLANDER,
    "white": RaceEthnicity.WHITE,
    "multiracial": RaceEthnicity.MULTIRACIAL,
    "two or more": RaceEthnicity.MULTIRACIAL,
    "other": RaceEthnicity.OTHER,
}

GENDER_ALIASES = {
    "female": Gender.WOMAN,
    "f": Gender.WOMAN,
    "male": Gender.MAN,
    "m": Gender.MAN,
    "non binary": Gender.NONBINARY,
    "nonbinary": Gender.NONBINARY,
    "other": Gender.OTHER,
}

# Said rather than left empty: an answer of "prefer not to say" is stored as no answer.
DECLINED = {"prefer not to say", "prefer not to answer", "decline to state", "declined", "n a"}


def _optional(parse: Callable[[str], str]) -> Callable[[str], str]:
    def wrapped(value: str) -> str:
        return "" if normalize(value) in DECLINED else parse(value)

    return wrapped


def _options(choices: type[Choices]) -> str:
    return ", ".join(str(label) for label in choices.labels)


_sector = _choice(
    Sector,
    SECTOR_ALIASES,
    lambda v: (
        _("“%(value)s” is not a sector we know. Use one of: %(options)s.")
        % {"value": v, "options": _options(Sector)}
    ),
)
_language = _choice(
    Language,
    LANGUAGE_ALIASES,
    lambda v: _("“%(value)s” is not English or Spanish.") % {"value": v},
)
_race = _optional(
    _choice(
        RaceEthnicity,
        RACE_ALIASES,
        lambda v: (
            _("“%(value)s” is not one of: %(options)s.")
            % {"value": v, "options": _options(RaceEthnicity)}
        ),
    )
)
_gender = _optional(
    _choice(
        Gender,
        GENDER_ALIASES,
        lambda v: (
            _("“%(value)s” is not one of: %(options)s.") % {"value": v, "options": _options(Gender)}
        ),
    )
)

BAND_FLOORS = [  # the lowest budget of each band, highest first
    (Decimal(25_000_000), SizeBand.OVER_25M),
    (Decimal(5_000_000), SizeBand.FROM_5M),
    (Decimal(1_000_000), SizeBand.FROM_1M),
    (Decimal(250_000), SizeBand.FROM_250K),
    (Decimal(0), SizeBand.UNDER_250K),
]
MULTIPLIERS = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000, "mm": 1_000_000}
AMOUNT = re.compile(r"^\$?\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*([a-z]*)$")


def _budget(value: str) -> str:
    """A band's label or value ("Under $250,000", "1m_5m"), or an amount ("$120,000", "2.5M")."""
    word = normalize(value)
    for band, label in SizeBand.choices:
        if word in (normalize(str(label)), normalize(band)):
            return str(band)
    if word in {"unknown", "not known", "n a"}:
        return SizeBand.UNKNOWN
    match = AMOUNT.match(value.strip().lower().replace("usd", "").strip())
    if match and match.group(2) in {"", *MULTIPLIERS}:
        try:
            amount = Decimal(match.group(1).replace(",", ""))
        except InvalidOperation:
            amount = None
        if amount is not None:
            amount *= MULTIPLIERS.get(match.group(2), 1)
            return next(str(band) for floor, band in BAND_FLOORS if amount >= floor)
    raise CellError(
        _("“%(value)s” is not an amount or a budget band (%(options)s).")
        % {"value": value, "options": _options(SizeBand)}
    )


_url_validator = URLValidator(schemes=["http", "https"])


def _website(value: str) -> str:
    url = value if re.match(r"^https?://", value, re.I) else f"https://{value}"
    try:
        _url_validator(url)
    except ValidationError:
        raise CellError(_("“%(value)s” is not a web address.") % {"value": value}) from None
    if len(url) > 200:
        raise CellError(_("Longer than %(max)s characters.") % {"max": 200})
    return url


def _max(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


@dataclass(frozen=True)
class Field:
    name: str
    label: str | Promise
    aliases: tuple[str, ...]
    parse: Callable[[str], Any]
    demographic: bool = False


PEOPLE_FIELDS = (
    Field(
        "full_name",
        gettext_lazy("Name"),
        ("name", "full name", "contact", "contact name", "person", "nombre completo"),
        _text(_max(Person, "full_name")),
    ),
    Field(
        "first_name",
        gettext_lazy("First name"),
        ("first name", "first", "given name", "firstname", "nombre"),
        _text(_max(Person, "full_name")),
    ),
    Field(
        "last_name",
        gettext_lazy("Last name"),
        ("last name", "last", "surname", "family name", "lastname", "apellido", "apellidos"),
        _text(_max(Person, "full_name")),
    ),
    Field(
        "email",
        gettext_lazy("Email"),
        ("email", "e mail", "email address", "e mail address", "mail", "correo"),
        _email,
    ),
    Field(
        "phone",
        gettext_lazy("Phone"),
        ("phone", "telephone", "phone number", "mobile", "cell", "cell phone", "telefono"),
        _text(_max(Person, "phone")),
    ),
    Field(
        "partner_organization",
        gettext_lazy("Organization"),
        (
            "organization",
            "organisation",
            "org",
            "partner",
            "partner organization",
            "agency",
            "company",
            "employer",
            "affiliation",
            "organizacion",
        ),
        _text(_max(PartnerOrganization, "name")),
    ),
    Field(
        "title",
        gettext_lazy("Title"),
        ("title", "job title", "position", "role", "cargo"),
        _text(_max(Person, "title")),
    ),
    Field(
        "preferred_language",
        gettext_lazy("Preferred language"),
        ("preferred language", "language", "idioma"),
        _language,
    ),
    Field(
        "is_community_member",
        gettext_lazy("Community member"),
        ("community member", "community member or resident", "resident", "lived experience"),
        _yes_no,
    ),
    Field(
        "race_ethnicity",
        gettext_lazy("Race or ethnicity"),
        ("race or ethnicity", "race ethnicity", "race", "ethnicity"),
        _race,
        demographic=True,
    ),
    Field("gender", gettext_lazy("Gender"), ("gender", "genero"), _gender, demographic=True),
)

PARTNER_FIELDS = (
    Field(
        "name",
        gettext_lazy("Name"),
        ("name", "organization", "organisation", "organization name", "partner", "org"),
        _text(_max(PartnerOrganization, "name")),
    ),
    Field("sector", gettext_lazy("Sector"), ("sector", "type", "kind", "category"), _sector),
    Field(
        "size_band",
        gettext_lazy("Annual budget"),
        ("annual budget", "budget", "size", "size band", "budget band", "annual revenue"),
        _budget,
    ),
    Field(
        "community_led",
        gettext_lazy("Community-led"),
        ("community led", "led by community", "grassroots led"),
        _yes_no,
    ),
    Field("website", gettext_lazy("Website"), ("website", "web", "url", "site"), _website),
    Field("notes", gettext_lazy("Notes"), ("notes", "note", "comments", "comment"), str),
)


def fields_for(kind: str) -> tuple[Field, ...]:
    return PEOPLE_FIELDS if kind == ImportBatch.Kind.PEOPLE else PARTNER_FIELDS


def field_named(kind: str, name: str) -> Field:
    return next(f for f in fields_for(kind) if f.name == name)


def propose_mapping(kind: str, headers: Iterable[str]) -> list[str]:
    """For each header, the field it most likely is ("" when none): its label, or a common way
    of naming it. A field is proposed for one column only, the first that names it."""
    taken: set[str] = set()
    mapping = []
    for header in headers:
        word = normalize(header)
        found = ""
        for field in fields_for(kind):
            names = {normalize(str(field.label)), *(normalize(a) for a in field.aliases)}
            if field.name not in taken and word in names:
                found = field.name
                break
        if found:
            taken.add(found)
        mapping.append(found)
    if "full_name" in taken and {"first_name", "last_name"} <= taken:
        # "Name" next to "First name" and "Last name" is usually a display name: use the parts.
        mapping = ["" if m == "full_name" else m for m in mapping]
    elif "full_name" in taken:
        mapping = ["" if m in {"first_name", "last_name"} else m for m in mapping]
    return mapping
