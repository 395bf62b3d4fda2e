"""Every page a person can open, for the browser tests that check them all (axe-core, phone width).

Each named route of the site is either a page, with how to fill its address from the demo
organization, or listed in NOT_PAGES with why it is not one (a POST action, an htmx fragment, a
file). tests/e2e/test_accessibility.py fails when a route is in neither, so a new page cannot be
forgotten."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from playwright.sync_api import Browser
from playwright.sync_api import Page as PlaywrightPage

from backbone.demo import build_demo
from backbone.invitations import invitation_token
from backbone.models import Invitation, Membership, Organization, OutboundEmail
from backbone.roles import Role
from backbone.services import invitation_create
from backbone.webhooks.models import WebhookEndpoint
from backbone.webhooks.services import webhook_endpoint_create
from dashboard.models import BoardPacket, DashboardSettings
from dashboard.packets import packet_request
from dashboard.services import dashboard_settings_update, settings_for
from initiatives.importers.batches import import_batch_create
from initiatives.models import (
    FilterCriterion,
    GroundRule,
    ImportBatch,
    Initiative,
    PartnerOrganization,
    Person,
    Screening,
    Seat,
    Strategy,
    Table,
)
from metrics.data_imports import data_import_create
from metrics.models import DataImport, DisparityGap, Indicator, PerformanceMeasure
from workplans.links import action_token, unsubscribe_token
from workplans.models import Commitment, HelpRequest, InboundEmail, KeyAction, Meeting, Workplan

PASSWORD = "backbone-demo"
ROLES = (Role.STAFF, Role.STEERING, Role.COCHAIR, Role.PARTNER)
SLUG = "demo"
FILES = Path(__file__).resolve().parents[1]
PEOPLE_CSV = FILES.parent / "initiatives" / "tests" / "fixtures" / "people_mixed.csv"
DATA_CSV = FILES / "metrics_files" / "report_card_wide.csv"

# Routes that are not pages a person opens, by why.
POST_ONLY = "a form's POST action; its page is checked where the form is"
FRAGMENT = "an htmx fragment swapped into a page checked here"
FILE = "a file (CSV, spreadsheet, SVG, PDF, calendar), not an HTML page"
REDIRECT = "redirects to a page checked here"
NOT_PAGES: dict[str, str] = {
    **dict.fromkeys(
        [
            "member_role",
            "member_remove",
            "invitation_revoke",
            "invitation_resend",
            "token_revoke",
            "initiative_archive",
            "initiative_restore",
            "results_reorder",
            "result_move",
            "result_delete",
            "strategies_reorder",
            "strategy_move",
            "strategy_delete",
            "ground_rules_reorder",
            "ground_rule_move",
            "ground_rule_delete",
            "criteria_reorder",
            "criterion_move",
            "criterion_retire",
            "screening_override",
            "screening_decide",
            "partner_delete",
            "person_remove",
            "person_restore",
            "seat_add",
            "seat_role",
            "seat_remove",
            "import_commit",
            "key_action_progress",
            "key_action_update_add",
            "meeting_attendance",
            "meeting_notes",
            "meeting_close",
            "meeting_cancel",
            "agenda_item_delete",
            "agenda_item_move",
            "meeting_mode_review",
            "meeting_mode_capture",
            "meeting_mode_wins",
            "meeting_mode_close",
            "commitment_status",
            "meeting_reminder_intro",
            "meeting_reminder_skip",
            "meeting_recap_send_now",
            "meeting_reminder_pause",
            "opt_out_reverse",
            "person_undeliverable_clear",
            "outbox_email_resend",
            "reply_apply",
            "reply_dismiss",
            "help_request_assign",
            "help_request_resolve",
            "person_calendar_new",
            "person_calendar_off",
            "table_calendar_new",
            "table_calendar_off",
            "data_import_commit",
            "webhook_rotate_secret",
            "webhook_test",
            "webhook_enable",
            "member_invite",
            "workplan_create",
            "language_choose",
            "sandbox_create",
            "onboarding_later",
            "result_add",
            "strategy_add",
            "ground_rule_add",
            "criterion_add",
            "agenda_item_add",
            "agenda_item_edit",
        ],
        POST_ONLY,
    ),
    **dict.fromkeys(
        [
            "table_candidates",
            "key_action_row",
            "meeting_invitee_search",
            "reply_original",
            "data_import_progress",
        ],
        FRAGMENT,
    ),
    **dict.fromkeys(
        [
            "people_export_csv",
            "people_export_xlsx",
            "partners_export_csv",
            "partners_export_xlsx",
            "meeting_invite",
            "indicator_trend_svg",
            "indicator_groups_svg",
            "measure_trend_svg",
            "measure_groups_svg",
            "gap_svg",
            "indicator_export_csv",
            "indicator_export_xlsx",
            "initiative_indicators_export_csv",
            "initiative_indicators_export_xlsx",
            "measure_export_csv",
            "measure_export_xlsx",
            "initiative_measures_export_csv",
            "initiative_measures_export_xlsx",
            "board_packet_download",
            "calendar_feed",
            "public_results_csv",
        ],
        FILE,
    ),
    **dict.fromkeys(
        [
            "dashboard_home",
            "home",
            "result_row",
            "strategy_row",
            "ground_rule_row",
            "criterion_row",
        ],
        REDIRECT,
    ),
    "healthz": "a health check for the load balancer",
    "sandbox_remove": "only in a sample organization: test_a_sample_organizations_pages checks it",
}
# Outside the site's own pages: the API (checked by its schema tests), the Django admin
# (operators only), email providers' webhooks, and allauth's pages other than those listed.
OUTSIDE = ("api/", "admin/", "anymail/", "accounts/")


@dataclass
class World:
    """The demo organization with one of everything a page needs."""

    organization: Organization
    initiative: Initiative
    o: dict[str, Any]
    i: dict[str, Any]
    email: OutboundEmail
    endpoint: WebhookEndpoint
    strategy: Strategy
    rule: GroundRule
    criterion: FilterCriterion
    screening: Screening
    partner: PartnerOrganization
    person: Person
    batch: ImportBatch
    table: Table
    workplan: Workplan
    key_action: KeyAction
    closed: Meeting
    upcoming: Meeting
    commitment: Commitment
    reply: InboundEmail
    indicator: Indicator
    data_import: DataImport
    measure: PerformanceMeasure
    gap: DisparityGap
    help_request: HelpRequest
    packet: BoardPacket
    board: DashboardSettings
    invitation: Invitation


def site_routes() -> Iterator[tuple[str, str]]:
    """(route name, address pattern) of every named route outside OUTSIDE."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, str]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                yield p.name, prefix + str(p.pattern)

    for name, pattern in walk(get_resolver().url_patterns, ""):
        if not pattern.startswith(OUTSIDE):
            yield name, pattern


def build_world() -> World:
    build_demo(slug=SLUG)
    org = Organization.objects.get(slug=SLUG)
    staff = Membership.objects.get(organization=org, user__email=f"staff@{SLUG}.example.org").user
    initiative = Initiative.objects.get(organization=org)
    # The co-chair's workgroup, where the partner persona also sits: each role sees it.
    table = Table.objects.get(
        initiative=initiative,
        seats__role=Seat.Role.CO_CHAIR,
        seats__person__user__email=f"cochair@{SLUG}.example.org",
    )
    closed = Meeting.objects.filter(table=table, status=Meeting.Status.CLOSED).latest("starts_at")
    upcoming = (
        Meeting.objects.filter(table=table, status=Meeting.Status.SCHEDULED)
        .order_by("starts_at")
        .first()
    )
    assert upcoming is not None
    workplan = Workplan.objects.filter(table=table).latest("year")
    key_action = KeyAction.objects.filter(workplan=workplan).order_by("pk")[0]
    commitment = Commitment.objects.filter(meeting=closed).order_by("pk")[0]
    person = commitment.person
    indicator = Indicator.objects.filter(initiative=initiative).order_by("pk")[0]
    measure = PerformanceMeasure.objects.filter(strategy__result__initiative=initiative).order_by(
        "pk"
    )[0]
    gap = DisparityGap.objects.filter(organization=org).order_by("pk")[0]
    reply = InboundEmail.objects.filter(organization=org).order_by("pk")[0]
    help_request = HelpRequest.objects.filter(organization=org).order_by("pk")[0]
    email = OutboundEmail.objects.filter(organization=org).order_by("pk")[0]
    screening = Screening.objects.filter(initiative=initiative).order_by("pk")[0]
    strategy = Strategy.objects.filter(result__initiative=initiative).order_by("pk")[0]
    rule = GroundRule.objects.filter(initiative=initiative).order_by("pk")[0]
    criterion = FilterCriterion.objects.filter(initiative=initiative).order_by("pk")[0]
    assert person.partner_organization is not None
    partner = person.partner_organization

    # What the demo does not make: a webhook, a board packet, two uploads waiting for their
    # preview, an invitation, and the public results page turned on.
    endpoint = webhook_endpoint_create(
        organization=org,
        url="https://hooks.example.org/backbone",
        events=["commitment.status_changed"],
        description="Our CRM",
        created_by=staff,
    )
    packet: BoardPacket = packet_request(initiative=initiative, requested_by=staff)
    with PEOPLE_CSV.open("rb") as f:
        batch: ImportBatch = import_batch_create(
            organization=org,
            kind="people",
            file=f,
            filename=PEOPLE_CSV.name,
            size=PEOPLE_CSV.stat().st_size,
            uploaded_by=staff,
        )
    data_import: DataImport = data_import_create(
        initiative=initiative,
        data=DATA_CSV.read_bytes(),
        file_name=DATA_CSV.name,
        uploaded_by=staff,
        indicator=indicator,
    )
    invitation = invitation_create(
        organization=org, email="new.partner@example.org", role=Role.PARTNER, invited_by=staff
    )
    board = settings_for(initiative)
    dashboard_settings_update(
        settings=board,
        partners_may_view=board.partners_may_view,
        packet_auto_send=board.packet_auto_send,
        packet_days_before=board.packet_days_before,
        public_enabled=True,
        public_intro="How Lakeshore's children are doing.",
        public_indicators=list(Indicator.objects.filter(initiative=initiative)),
    )
    board.refresh_from_db()

    return World(
        organization=org,
        initiative=initiative,
        o={"org_slug": SLUG},
        i={"org_slug": SLUG, "initiative_id": initiative.pk},
        email=email,
        endpoint=endpoint,
        strategy=strategy,
        rule=rule,
        criterion=criterion,
        screening=screening,
        partner=partner,
        person=person,
        batch=batch,
        table=table,
        workplan=workplan,
        key_action=key_action,
        closed=closed,
        upcoming=upcoming,
        commitment=commitment,
        reply=reply,
        indicator=indicator,
        data_import=data_import,
        measure=measure,
        gap=gap,
        help_request=help_request,
        packet=packet,
        board=board,
        invitation=invitation,
    )


# Every page: its route's name, and its address's arguments from the demo.
PAGES: dict[str, Callable[[World], dict[str, Any]]] = {
    # The organization.
    "org_picker": lambda d: {},
    "org_create": lambda d: {},
    "account_logout": lambda d: {},
    "invitation_accept": lambda d: {"token": invitation_token(d.invitation)},
    "org_home": lambda d: d.o,
    # The guided start (an organization already set up can still open each step).
    "onboarding": lambda d: d.o,
    "onboarding_initiative": lambda d: d.o,
    "onboarding_result": lambda d: d.o,
    "onboarding_strategies": lambda d: d.o,
    "onboarding_workgroup": lambda d: d.o,
    "onboarding_meeting": lambda d: d.o,
    "onboarding_commitments": lambda d: d.o,
    "onboarding_recap": lambda d: d.o,
    "onboarding_done": lambda d: d.o,
    "org_settings": lambda d: d.o,
    "members": lambda d: d.o,
    "tokens": lambda d: d.o,
    "outbox": lambda d: d.o,
    "outbox_email": lambda d: {**d.o, "email_id": d.email.pk},
    "webhooks": lambda d: d.o,
    "webhook_create": lambda d: d.o,
    "webhook_detail": lambda d: {**d.o, "endpoint_id": d.endpoint.pk},
    "webhook_edit": lambda d: {**d.o, "endpoint_id": d.endpoint.pk},
    "webhook_delete": lambda d: {**d.o, "endpoint_id": d.endpoint.pk},
    # The common agenda.
    "initiative_list": lambda d: d.o,
    "initiative_create": lambda d: d.o,
    "initiative_detail": lambda d: d.i,
    "initiative_edit": lambda d: d.i,
    # Without JavaScript, an inline edit opens as a page of its own.
    "result_edit": lambda d: {**d.i, "result_id": d.strategy.result_id},
    "strategy_edit": lambda d: {**d.i, "strategy_id": d.strategy.pk},
    "ground_rule_edit": lambda d: {**d.i, "rule_id": d.rule.pk},
    "criterion_edit": lambda d: {**d.i, "criterion_id": d.criterion.pk},
    "ground_rules": lambda d: d.i,
    "agenda_filter": lambda d: d.i,
    "screening_new": lambda d: d.i,
    "screening_detail": lambda d: {**d.i, "screening_id": d.screening.pk},
    # Partners, people, tables.
    "partners": lambda d: d.o,
    "partner_create": lambda d: d.o,
    "partner_detail": lambda d: {**d.o, "partner_id": d.partner.pk},
    "partner_edit": lambda d: {**d.o, "partner_id": d.partner.pk},
    "people": lambda d: d.o,
    "person_create": lambda d: d.o,
    "person_detail": lambda d: {**d.o, "person_id": d.person.pk},
    "person_edit": lambda d: {**d.o, "person_id": d.person.pk},
    "people_import": lambda d: d.o,
    "partners_import": lambda d: d.o,
    "import_preview": lambda d: {**d.o, "batch_id": d.batch.pk},
    "tables": lambda d: d.i,
    "workgroup_create": lambda d: d.i,
    "tables_composition": lambda d: d.i,
    "table_detail": lambda d: {**d.o, "table_id": d.table.pk},
    "table_edit": lambda d: {**d.o, "table_id": d.table.pk},
    # Workplans, meetings, commitments, reminders, replies, help.
    "table_workplans": lambda d: {**d.o, "table_id": d.table.pk},
    "workplans_compare": lambda d: {**d.o, "table_id": d.table.pk},
    "workplan_detail": lambda d: {**d.o, "workplan_id": d.workplan.pk},
    "workplan_renew": lambda d: {**d.o, "workplan_id": d.workplan.pk},
    "key_action_add": lambda d: {**d.o, "workplan_id": d.workplan.pk},
    "key_action_detail": lambda d: {**d.o, "key_action_id": d.key_action.pk},
    "key_action_edit": lambda d: {**d.o, "key_action_id": d.key_action.pk},
    "key_action_delete": lambda d: {**d.o, "key_action_id": d.key_action.pk},
    "meetings_upcoming": lambda d: d.o,
    "table_meetings": lambda d: {**d.o, "table_id": d.table.pk},
    "meeting_schedule": lambda d: {**d.o, "table_id": d.table.pk},
    "meeting_detail": lambda d: {**d.o, "meeting_id": d.closed.pk},
    "meeting_edit": lambda d: {**d.o, "meeting_id": d.upcoming.pk},
    "meeting_mode": lambda d: {**d.o, "meeting_id": d.upcoming.pk},
    "meeting_reminders": lambda d: {**d.o, "meeting_id": d.closed.pk},
    "meeting_reminder_preview": lambda d: {**d.o, "meeting_id": d.closed.pk},
    "initiative_reminders": lambda d: d.i,
    "my_commitments": lambda d: d.o,
    "commitments": lambda d: d.o,
    "commitment_detail": lambda d: {**d.o, "commitment_id": d.commitment.pk},
    "replies": lambda d: d.o,
    "reply_detail": lambda d: {**d.o, "reply_id": d.reply.pk},
    "help_requests": lambda d: d.o,
    # Shared measurement.
    "results_overview": lambda d: d.i,
    "indicator_create": lambda d: d.i,
    "measures_overview": lambda d: d.i,
    "measure_create": lambda d: d.i,
    "data_import_upload": lambda d: d.i,
    "data_import_detail": lambda d: {**d.o, "import_id": d.data_import.pk},
    "indicators_stale": lambda d: d.o,
    "indicator_detail": lambda d: {**d.o, "indicator_id": d.indicator.pk},
    "indicator_edit": lambda d: {**d.o, "indicator_id": d.indicator.pk},
    "indicator_notes": lambda d: {**d.o, "indicator_id": d.indicator.pk},
    "measure_detail": lambda d: {**d.o, "measure_id": d.measure.pk},
    "measure_edit": lambda d: {**d.o, "measure_id": d.measure.pk},
    "measure_notes": lambda d: {**d.o, "measure_id": d.measure.pk},
    "gap_create": lambda d: {**d.o, "indicator_id": d.indicator.pk},
    "gap_edit": lambda d: {**d.o, "gap_id": d.gap.pk},
    "gap_delete": lambda d: {**d.o, "gap_id": d.gap.pk},
    # The steering committee's dashboard, board packets, publishing.
    "dashboard": lambda d: d.i,
    "dashboard_workgroup": lambda d: {**d.i, "table_id": d.table.pk},
    "dashboard_follow_through": lambda d: {**d.i, "table_id": d.table.pk},
    "dashboard_overdue": lambda d: {**d.i, "table_id": d.table.pk},
    "dashboard_help": lambda d: {**d.i, "table_id": d.help_request.table_id},
    "dashboard_key_action": lambda d: {**d.i, "key_action_id": d.key_action.pk},
    "board_packets": lambda d: d.i,
    "board_packet_detail": lambda d: {**d.o, "packet_id": d.packet.pk},
    "dashboard_settings": lambda d: d.i,
    "dashboard_public_key_renew": lambda d: d.i,
    # Without a login: from a NAG email, and the published results.
    "nag_link": lambda d: {
        "token": action_token(person_id=d.person.pk, commitment_id=d.commitment.pk, action="done")
    },
    "nag_unsubscribe": lambda d: {
        "token": unsubscribe_token(person_id=d.person.pk, initiative_id=d.initiative.pk)
    },
    "public_results": lambda d: {"key": d.board.public_key},
    "public_results_embed": lambda d: {"key": d.board.public_key},
    # allauth's pages a person meets.
    "account_login": lambda d: {},
    "account_signup": lambda d: {},
    "account_reset_password": lambda d: {},
}


ANONYMOUS = (
    "nag_link",
    "nag_unsubscribe",
    "public_results",
    "public_results_embed",
    "account_login",
    "account_signup",
    "account_reset_password",
    "invitation_accept",
)


def pages_for(world: World, *, anonymous: bool) -> list[tuple[str, str]]:
    """(route name, address) of the pages to open, signed in or not."""
    names = [n for n in PAGES if (n in ANONYMOUS) == anonymous]
    return [(n, reverse(n, kwargs=PAGES[n](world))) for n in names]


# Each role's own pages, which the walk must have opened (a role refused everything would
# otherwise pass quietly).
MUST_OPEN = {
    "steering": {
        "dashboard",
        "board_packets",
        "initiative_detail",
        "indicator_detail",
        "commitments",
        "my_commitments",
        "meeting_detail",
        "help_requests",
    },
    "cochair": {
        "meeting_mode",
        "table_detail",
        "workplan_detail",
        "key_action_edit",
        "my_commitments",
        "help_requests",
        "dashboard",
    },
    "partner": {
        "my_commitments",
        "initiative_detail",
        "table_detail",
        "workplan_detail",
        "indicator_detail",
        "commitment_detail",
    },
}
NOT_FOUND = "not_found"


@dataclass
class Walk:
    """What a walk through every page found: problems by "role page", and what each role opened
    and was refused."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    opened: dict[str, list[str]] = field(default_factory=dict)
    refused: dict[str, list[str]] = field(default_factory=dict)

    def report(self) -> str:
        return "\n".join(
            f"{where}:\n    " + "\n    ".join(found) for where, found in self.problems.items()
        )


def sign_in(page: PlaywrightPage, base: str, role: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator("#id_login").fill(f"{role}@{SLUG}.example.org")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda u: "/accounts/login/" not in u)


def walk(
    browser: Browser,
    base: str,
    world: World,
    *,
    viewport: dict[str, int],
    check: Callable[[PlaywrightPage], list[str]],
    shots: dict[str, str],
    screenshot_dir: Path,
    prefix: str,
) -> Walk:
    """Open every page as each role (one browser context per role, signed in once) and run
    `check` on each, its folds open; a role's first refusal (403) and a missing page (404) are
    checked too."""
    found = Walk()
    for role in [*(r.value for r in ROLES), "anonymous"]:
        anonymous = role == "anonymous"
        context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
        page = context.new_page()
        if not anonymous:
            sign_in(page, base, role)
        missing = "/no-such-page/" if anonymous else f"/o/{SLUG}/no-such-page/"
        opened: list[str] = []
        refused: list[str] = []
        for name, path in [*pages_for(world, anonymous=anonymous), (NOT_FOUND, missing)]:
            response = page.goto(base + path)
            status = response.status if response else 0
            expected = 404 if name == NOT_FOUND else 200
            if status == 403 and not anonymous:
                refused.append(name)
                if len(refused) > 1:
                    continue
            elif status != expected:
                found.problems[f"{role} {name} {path}"] = [f"answered {status}"]
                continue
            else:
                opened.append(name)
            # What folds away (a chart's numbers, an inline form, a drop reason) is checked
            # open; a fold that loads its content when opened (htmx) stays shut.
            page.evaluate(
                "document.querySelectorAll('main details:not([hx-get]):not([hx-trigger])')"
                ".forEach(d => { d.open = true; })"
            )
            problems = check(page)
            if problems:
                found.problems[f"{role} {name} {path}"] = problems
            if shots.get(role) == name:
                page.screenshot(path=screenshot_dir / f"{prefix}-{role}-{name}.png", full_page=True)
        found.opened[role] = opened
        found.refused[role] = refused
        context.close()
    return found


AXE = Path(__file__).resolve().parents[2] / ".venv" / "axe" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
FAILING = ("serious", "critical")


def axe_violations(page: PlaywrightPage, *, rules: list[str] | None = None) -> list[str]:
    """Every serious or critical violation on the page, each with the elements it was found on."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: `make pytest` (or `make test`) fetches it.")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": TAGS}
    result: dict[str, Any] = page.evaluate(
        "only => axe.run(document, {runOnly: only, resultTypes: ['violations']})", only
    )
    return [
        f"{v['impact']} {v['id']}: {v['help']} — at {node['target']}: "
        + " ".join(node.get("failureSummary", "").split())
        for v in result["violations"]
        if v["impact"] in FAILING
        for node in v["nodes"]
    ]


PHONE = {"width": 375, "height": 800}


def fits_the_phone(page: PlaywrightPage) -> list[str]:
    wide: dict[str, Any] = page.evaluate(
        """() => {
          const width = window.innerWidth;
          const over = [];
          for (const el of document.querySelectorAll("body *")) {
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.right <= width + 0.5) continue;
            let clipped = false;
            for (let up = el.parentElement; up; up = up.parentElement) {
              if (getComputedStyle(up).overflowX !== "visible") { clipped = true; break; }
            }
            if (!clipped) over.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
              + (el.className && typeof el.className === "string"
                 ? "." + el.className.trim().split(/\\s+/).join(".") : "")
              + " reaches " + Math.round(box.right) + " px");
          }
          return {scroll: document.documentElement.scrollWidth, width, over: over.slice(0, 5)};
        }"""
    )
    problems: list[str] = []
    if wide["scroll"] > wide["width"]:
        problems.append(
            f"{wide['scroll']} px wide at {wide['width']} px: " + "; ".join(wide["over"])
        )
    return problems + axe_violations(page, rules=["scrollable-region-focusable", "target-size"])
