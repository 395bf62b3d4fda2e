"""Every sentence a partner or a co-chair can meet has a Spanish translation.

The templates (and the Python modules) that partners and co-chairs read are listed here
explicitly; every other template must be listed as one that may fall back to English (staff's
own pages), so a new template has to be placed in one list or the other. From each listed
template, every {% translate %} and {% blocktranslate %} is read the way makemessages reads it
(Django's templatize), and from each listed module every gettext call; each must be in the
compiled Spanish catalogue, where msgfmt leaves out empty and fuzzy entries. A sentence added
in English and not yet translated in locale/es fails here, naming the template and the sentence.

workplans/tests/test_spanish.py renders the partner's emails and pages and fails on any English
left; test_partner_and_cochair_surfaces_render_in_spanish below spot-checks the other emails and
the co-chair's pages the same way."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils.translation import template as template_i18n
from django.utils.translation import trans_real

from workplans.tests.public_world import require_compiled_spanish

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Read by partners (most without a login) and co-chairs, or by everyone: Spanish is complete.
PARTNER_AND_COCHAIR = [
    # The frame of every page, the error pages, logging in and accepting an invitation.
    "base.html",
    "403.html",
    "404.html",
    "500.html",
    "account/*",
    "allauth/*",
    "backbone/invitation_accept.html",
    "backbone/invitation_problem.html",
    "backbone/org_home.html",
    "backbone/org_picker.html",
    "backbone/members.html",
    "backbone/tokens.html",
    "backbone/partials/form_fields.html",
    # The homes of partners, co-chairs and steering committee members.
    "backbone/partials/home_*",
    # Emails: NAG reminders, reply confirmations, help requests, board packets, invitations.
    "emails/base.html",
    "emails/nag*",
    "emails/reply_confirmation*",
    "emails/help_request*",
    "emails/board_packet*",
    "emails/invitation*",
    # The pages a NAG email's links open without a login, and the public results page.
    "workplans/public/*",
    "dashboard/public/*",
    # What partners and co-chairs use once logged in: their commitments and calendar feeds,
    # meetings and meeting mode, commitments, help requests, workplans, reminders of their
    # meetings, the dashboard and board packets, the common agenda, tables, people and the
    # shared measurement pages they read.
    "workplans/commitments/*",
    "workplans/calendar/*",
    "workplans/meetings/*",
    "workplans/mode/*",
    "workplans/help/*",
    "workplans/nag/*",
    "workplans/workplans/*",
    "dashboard/dashboard.html",
    "dashboard/partials/*",
    "dashboard/packet.html",
    "dashboard/packets.html",
    "dashboard/packet/*",
    "initiatives/agenda/*",
    "initiatives/tables/*",
    "initiatives/people/*",
    "initiatives/partners/*",
    "metrics/overview.html",
    "metrics/indicator_detail.html",
    "metrics/measures.html",
    "metrics/partials/chart.html",
    "metrics/partials/direction.html",
    "metrics/partials/freshness.html",
    "metrics/partials/head.html",
]

# Staff's own pages: setting up an organization, the email log, webhooks, imports, publishing.
# They may fall back to English.
STAFF_ONLY = [
    "backbone/org_create.html",
    "backbone/org_settings.html",
    "backbone/outbox.html",
    "backbone/outbox_email.html",
    "backbone/partials/member_row.html",
    "emails/webhook_disabled*",
    "webhooks/*",
    "onboarding/*",
    "initiatives/imports/*",
    "metrics/form.html",
    "metrics/gap_delete.html",
    "metrics/stale.html",
    "metrics/import_*",
    "metrics/partials/import_progress.html",
    "workplans/replies/*",
    "dashboard/publishing*",
]

# Python modules whose messages partners and co-chairs read: emails, the one-click pages,
# reply confirmations, help requests, calendar feeds, the public results page, statuses and
# roles, the meeting-mode and commitment forms, charts and headlines.
PARTNER_AND_COCHAIR_MODULES = [
    "backbone/roles.py",
    "backbone/invitations.py",
    "backbone/views/language.py",
    "initiatives/models.py",
    "workplans/models.py",
    "workplans/emails.py",
    "workplans/links.py",
    "workplans/replies.py",
    "workplans/help_requests.py",
    "workplans/calendar_feeds.py",
    "workplans/forms/public.py",
    "workplans/forms/commitments.py",
    "workplans/forms/meetings.py",
    "workplans/views/public.py",
    "workplans/views/mode.py",
    "workplans/views/commitments.py",
    "workplans/views/help.py",
    "dashboard/emails.py",
    "dashboard/public.py",
    "dashboard/views_public.py",
    "dashboard/selectors.py",
    "metrics/views/common.py",
    "metrics/charts.py",
]

CALLS = {
    "_": ("msgid",),
    "gettext": ("msgid",),
    "gettext_lazy": ("msgid",),
    "gettext_noop": ("msgid",),
    "pgettext": ("context", "msgid"),
    "pgettext_lazy": ("context", "msgid"),
    "ngettext": ("msgid", "plural"),
    "ngettext_lazy": ("msgid", "plural"),
    "npgettext": ("context", "msgid", "plural"),
    "npgettext_lazy": ("context", "msgid", "plural"),
}
STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
TEMPLATE_CALL = re.compile(
    rf"\b(?P<name>n?p?gettext|_)\(\s*(?P<args>{STRING}(?:\s*,\s*{STRING})*)", re.S
)


def template_messages(source: str) -> Iterator[tuple[str, str, str]]:
    """(context, msgid, plural) of every translatable string of a template, as makemessages
    sees it: templatize turns the tags into gettext calls with Python string literals."""
    code = template_i18n.templatize(source)
    for match in TEMPLATE_CALL.finditer(code):
        args = [ast.literal_eval(a) for a in re.findall(STRING, match["args"], re.S)]
        fields = dict(zip(CALLS[match["name"]], args, strict=False))
        yield fields.get("context", ""), fields["msgid"], fields.get("plural", "")


def module_messages(source: str) -> Iterator[tuple[str, str, str]]:
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in CALLS:
            continue
        roles = CALLS[name]
        args = node.args[: len(roles)]
        if len(args) < len(roles) or not all(
            isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args
        ):
            continue  # a variable: its strings are marked where they are written
        fields = dict(zip(roles, [a.value for a in args], strict=True))  # type: ignore[attr-defined]
        yield fields.get("context", ""), fields["msgid"], fields.get("plural", "")


def spanish_has(catalog: Any, context: str, msgid: str, plural: str) -> bool:
    key = f"{context}\x04{msgid}" if context else msgid
    if plural:
        found = [catalog.get((key, n)) for n in (0, 1)]
        return all(found)
    return bool(catalog.get(key))


def classify(relative: str) -> str:
    if any(fnmatch(relative, p) for p in PARTNER_AND_COCHAIR):
        return "spanish"
    if any(fnmatch(relative, p) for p in STAFF_ONLY):
        return "english allowed"
    return "unclassified"


def all_templates() -> list[str]:
    return sorted(
        str(p.relative_to(TEMPLATES))
        for p in TEMPLATES.rglob("*")
        if p.is_file() and p.suffix in {".html", ".txt"}
    )


@pytest.fixture(scope="module")
def catalog() -> Any:
    require_compiled_spanish()
    # The Spanish catalogue as pages get it (ours, then the installed apps' and Django's), read
    # directly: a translation identical to its English ("Agenda") is still a translation.
    return trans_real.translation("es")._catalog  # type: ignore[attr-defined]


def test_every_template_is_either_for_partners_and_cochairs_or_staff_only() -> None:
    assert [t for t in all_templates() if classify(t) == "unclassified"] == []
    # And each pattern still names something (a renamed template is noticed).
    for pattern in PARTNER_AND_COCHAIR + STAFF_ONLY:
        assert any(fnmatch(t, pattern) for t in all_templates()), pattern


def test_every_partner_and_cochair_template_string_has_spanish(catalog: Any) -> None:
    templates = [t for t in all_templates() if classify(t) == "spanish"]
    checked = 0
    missing = []
    for relative in templates:
        source = (TEMPLATES / relative).read_text(encoding="utf-8")
        for context, msgid, plural in template_messages(source):
            checked += 1
            if not spanish_has(catalog, context, msgid, plural):
                missing.append(f"{relative}: {msgid!r}" + (f" ({context})" if context else ""))
    assert missing == [], "Not in Spanish:\n" + "\n".join(missing)
    assert len(templates) >= 150
    assert checked >= 1500


def test_every_partner_and_cochair_python_string_has_spanish(catalog: Any) -> None:
    checked = 0
    missing = []
    for relative in PARTNER_AND_COCHAIR_MODULES:
        source = (Path(settings.BASE_DIR) / relative).read_text(encoding="utf-8")
        for context, msgid, plural in module_messages(source):
            checked += 1
            if not spanish_has(catalog, context, msgid, plural):
                missing.append(f"{relative}: {msgid!r}" + (f" ({context})" if context else ""))
    assert missing == [], "Not in Spanish:\n" + "\n".join(missing)
    assert checked >= 300


def test_the_check_reads_every_kind_of_tag_and_notices_a_missing_sentence(catalog: Any) -> None:
    source = (
        '{% load i18n %}{% translate "Mark as done" %}'
        '{% translate "l, F j, Y" context "date format" %}'
        "{% blocktranslate with name=n %}Thank you, {{ name }}{% endblocktranslate %}"
        "{% blocktranslate count counter=n %}{{ counter }} problem to fix first{% plural %}"
        "{{ counter }} problems to fix first{% endblocktranslate %}"
        "{{ x|default:_('Status') }}"
        '{% translate "A sentence nobody has translated yet" %}'
    )
    found = list(template_messages(source))
    assert found == [
        ("", "Mark as done", ""),
        ("date format", "l, F j, Y", ""),
        ("", "Thank you, %(name)s", ""),
        ("", "%(counter)s problem to fix first", "%(counter)s problems to fix first"),
        ("", "Status", ""),
        ("", "A sentence nobody has translated yet", ""),
    ]
    assert [spanish_has(catalog, *m) for m in found] == [True, True, True, True, True, False]
    code = (
        "from django.utils.translation import gettext as _, pgettext\n"
        "a = _('Mark as done')\n"
        "b = pgettext('date format', 'l, F j, Y')\n"
        "c = _(variable)\n"
        "d = translation.ngettext('%(n)s value', '%(n)s values', n)\n"
    )
    assert list(module_messages(code)) == [
        ("", "Mark as done", ""),
        ("date format", "l, F j, Y", ""),
        ("", "%(n)s value", "%(n)s values"),
    ]
