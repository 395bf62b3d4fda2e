"""Partners' replies to NAG emails, end to end on the large tenant, next to the stdlib email
parser on the same bytes in the same run.

1,100 NAG emails are written to the tenant's people with open commitments (each listing one to
three of them, as the sweep numbers them), and each is answered by a reply built from the reply
corpus (tests/replies/corpus: Gmail, Outlook, Apple, iOS, Android, Thunderbird, Yahoo…, English
and Spanish — the messages the corpus expects to be applied, in the person's language). The
replies go in through the path `manage.py ingest_email` takes: `inbound_receive` stores each
one and queues its processing on commit; the Celery task runs in this process (eagerly), so
one reply's time is receiving, parsing, stripping, reading, applying (status changes, help
requests, co-chair notices and the confirmation, put in the outbox) — everything but the SMTP
delivery that bench.nag measures. After 10 replies to warm up (imports, URL patterns, templates),
100 replies are measured, then 1,000 others, for the queries per reply, which must not grow
with the number of replies.

It runs as production does: DEBUG off (Django keeps no SQL log), templates compiled once (the
cached template loader). The CPU time per reply is shown too: the end-to-end rate is wall-clock
time, which a busy machine stretches.

Everything it creates is deleted afterwards and the commitments it changed are put back.
"""

from __future__ import annotations

import email
import email.policy
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

from bench.common import BenchContext, Row

WARM_UP = 10
FEW = 100
REPLIES = 1_000
GOAL_PER_SECOND = 100


@dataclass(frozen=True)
class Template:
    name: str
    count: int  # how many commitments the answered NAG lists
    language: str
    raw: bytes


def _templates() -> dict[tuple[str, int], list[Template]]:
    from tests.replies import SCENARIOS, load_expectations

    found: dict[tuple[str, int], list[Template]] = defaultdict(list)
    for case in load_expectations():
        if case.status != "applied" or case.matched != "own":
            continue
        language, count = SCENARIOS[case.scenario]
        found[(language, count)].append(
            Template(case.name, count, language, case.path.read_bytes())
        )
    return found


def _people(org: Any) -> list[tuple[Any, list[int]]]:
    """The tenant's reachable people with open commitments, and those commitments."""
    from initiatives.models import Person
    from workplans.models import Commitment

    open_by_person: dict[int, list[int]] = defaultdict(list)
    for pk, person_id in (
        Commitment.objects.filter(organization=org, status__in=Commitment.ACTIVE)
        .order_by("person_id", "due_date", "pk")
        .values_list("pk", "person_id")
    ):
        open_by_person[person_id].append(pk)
    people = Person.objects.filter(
        organization=org, pk__in=open_by_person, archived_at__isnull=True
    ).exclude(email="")
    return [(p, open_by_person[p.pk]) for p in people.order_by("pk")]


def _messages(org: Any, size: int, offset: int) -> list[bytes]:
    """`size` NAG emails (outbox rows as a sweep leaves them, sent) and one reply to each."""
    from django.conf import settings
    from django.utils import timezone

    from backbone.models import OutboundEmail
    from tests.replies import UNKNOWN_TOKEN, substitute
    from workplans.models import NagMessage
    from workplans.reminders import fresh_tokens

    templates = _templates()
    people = _people(org)
    if not people:
        raise RuntimeError("the benchmark tenant has nobody with an open commitment")
    now = timezone.now()
    domain = org.reply_domain or settings.BACKBONE_REPLY_DOMAIN
    plan = []
    for i in range(offset, offset + size):
        person, open_ids = people[i % len(people)]
        language = "es" if person.preferred_language == "es" else "en"
        count = min(3, len(open_ids), 1 + i % 3)
        choices = templates[(language, count)] or templates[("en", count)]
        template = choices[(i // 3) % len(choices)]
        # A person answering several reminders: each lists the next of their commitments.
        start = (i // len(people)) * count
        listed = [open_ids[(start + k) % len(open_ids)] for k in range(count)]
        plan.append((person, listed, template))
    emails = OutboundEmail.objects.bulk_create(
        OutboundEmail(
            organization=org,
            kind="nag_check_in",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[person.email],
            subject="How is it going? Your commitments",
            body_text="(benchmark)",
            status=OutboundEmail.Status.SENT,
            sent_at=now - timedelta(days=2),
            message_id=f"<bench-nag.{offset}.{n}@backbone.example.org>",
        )
        for n, (person, _listed, _t) in enumerate(plan)
    )
    tokens = fresh_tokens(size)
    NagMessage.objects.bulk_create(
        NagMessage(
            organization=org,
            email=row,
            person=person,
            token=token,
            commitment_ids=listed,
        )
        for row, token, (person, listed, _t) in zip(emails, tokens, plan, strict=True)
    )
    messages = []
    for n, (row, token, (person, _listed, template)) in enumerate(
        zip(emails, tokens, plan, strict=True)
    ):
        values = {
            "token": token,
            "other_token": token,
            "unknown_token": UNKNOWN_TOKEN,
            "reply_domain": domain,
            "person_name": person.full_name,
            "person_email": person.email,
            "other_email": person.email,
            "colleague_email": "colleague@partners.example.org",
            "sender_name": org.email_sender_name,
            "sender_email": settings.DEFAULT_FROM_EMAIL,
            "nag_message_id": row.message_id.strip("<>"),
            "other_nag_message_id": row.message_id.strip("<>"),
            "date": format_datetime(now),
            "uid": f"B{offset:05d}{n:05d}",
        }
        messages.append(substitute(template.raw, values))
    return messages


def _stdlib_parse_rate(messages: list[bytes]) -> float:
    """The raw cost of reading the same bytes: the stdlib parser, every text part decoded."""
    started = time.perf_counter()
    for raw in messages:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        for part in message.walk():
            if part.get_content_maintype() == "text":
                part.get_content()
    return len(messages) / (time.perf_counter() - started)


def _ingest(messages: list[bytes]) -> tuple[float, float, int]:
    """Receive each message as the pipe does; its processing runs when the row commits.
    Returns the wall-clock seconds, this process's CPU seconds and the queries."""
    from django.db import connection

    from workplans.inbound import inbound_receive
    from workplans.models import InboundEmail

    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started, cpu_started = time.perf_counter(), time.process_time()
        for raw in messages:
            row, created = inbound_receive(raw=raw, source=InboundEmail.Source.PIPE)
            assert created, row.message_key
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    return seconds, cpu_seconds, queries[0]


def replies(ctx: BenchContext) -> list[Row]:
    from django.conf import settings

    from backbone.models import OutboundEmail
    from config.celery import app
    from workplans.models import Commitment, CommitmentChange, HelpRequest, InboundEmail

    org = ctx.organization
    # What is put back afterwards.
    saved: list[dict[str, Any]] = [
        dict(row)
        for row in Commitment.objects.filter(organization=org).values(
            "pk", "status", "due_date", "progress_note", "completed_at", "version"
        )
    ]
    last = {
        model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in (OutboundEmail, CommitmentChange, HelpRequest, InboundEmail)
    }
    eager, debug = app.conf.task_always_eager, settings.DEBUG
    app.conf.task_always_eager = True
    # As in production: with DEBUG on, Django keeps every query's SQL. (Templates are compiled
    # once either way: Django's cached template loader is on with DEBUG too.)
    settings.DEBUG = False
    try:
        warm_up = _messages(org, WARM_UP, 0)
        few = _messages(org, FEW, WARM_UP)
        many = _messages(org, REPLIES, WARM_UP + FEW)
        parse_rate = _stdlib_parse_rate(many)
        # Imports, URL patterns and templates loaded once, as in a worker that has been up.
        _ingest(warm_up)
        few_seconds, _few_cpu, few_queries = _ingest(few)
        many_seconds, many_cpu, many_queries = _ingest(many)
        rows = InboundEmail.objects.filter(pk__gt=last[InboundEmail])
        statuses = Counter(rows.values_list("status", flat=True))
        assert sum(statuses.values()) == WARM_UP + FEW + REPLIES, statuses
        assert not statuses.keys() & {"received", "failed"}, statuses
        help_requests = HelpRequest.objects.filter(pk__gt=last[HelpRequest]).count()
        confirmations = OutboundEmail.objects.filter(
            pk__gt=last[OutboundEmail], kind="reply_confirmation"
        ).count()
    finally:
        app.conf.task_always_eager, settings.DEBUG = eager, debug
        _clean_up(org, last, saved)
    rate = REPLIES / many_seconds
    return [
        Row(
            f"{REPLIES:,} replies ingested and applied",
            rate,
            "replies/s end to end",
            "stdlib email parser",
            parse_rate,
            f"≥ {GOAL_PER_SECOND} replies/s",
        ),
        Row("stdlib email parser, same bytes", parse_rate, "replies/s"),
        # The same run by this process's CPU time: what the rate would be on an idle machine
        # (the wall-clock rate above also counts time other processes took the CPUs).
        Row(
            f"{REPLIES:,} replies, CPU time",
            1000 * many_cpu / REPLIES,
            "ms of CPU per reply (DEBUG off, templates compiled once: as in production)",
        ),
        Row(f"{FEW:,} replies", FEW / few_seconds, "replies/s end to end"),
        Row(
            f"outcome of {WARM_UP + FEW + REPLIES:,} replies",
            statuses.get("applied", 0),
            "applied "
            + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()) if s != "applied")
            + f"; {help_requests} help requests, {confirmations} confirmations",
        ),
        Row(
            f"queries, {FEW:,} replies",
            few_queries / FEW,
            "per reply",
            goal="the same at both sizes",
        ),
        Row(
            f"queries, {REPLIES:,} replies",
            many_queries / REPLIES,
            "per reply",
            goal="the same at both sizes",
        ),
    ]


def _clean_up(org: Any, last: dict[Any, int], saved: list[dict[str, Any]]) -> None:
    from backbone.models import OutboundEmail
    from workplans.models import Commitment, CommitmentChange, HelpRequest, InboundEmail

    HelpRequest.objects.filter(pk__gt=last[HelpRequest]).delete()
    CommitmentChange.objects.filter(pk__gt=last[CommitmentChange]).delete()
    InboundEmail.objects.filter(pk__gt=last[InboundEmail]).delete()
    # NAG messages go with their outbox rows.
    OutboundEmail.objects.filter(pk__gt=last[OutboundEmail]).delete()
    by_pk = {s["pk"]: s for s in saved}
    changed = [
        c
        for c in Commitment.objects.filter(organization=org).only(
            "pk", "status", "due_date", "progress_note", "completed_at", "version"
        )
        if any(getattr(c, k) != v for k, v in by_pk[c.pk].items())
    ]
    for c in changed:
        for key, value in by_pk[c.pk].items():
            setattr(c, key, value)
    Commitment.objects.bulk_update(
        changed, ["status", "due_date", "progress_note", "completed_at", "version"], batch_size=500
    )
