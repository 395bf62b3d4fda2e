"""NAG delivery end to end on the large tenant, next to raw smtplib in the same run.

10,000 due touches (reminders of closed meetings' people, bulk-created) are swept by
`send_due_reminders` in a process of its own (as cron or a worker would run it), and delivered
by a real `celery -A config worker` over SMTP to a local sink (aiosmtpd, in a process of its
own so it does not share a GIL with either side). Measured from the sweep's start to the sink
having accepted every email. Next to it: the same number of pre-built messages sent with
smtplib over one connection to the same sink.

Also printed: the sweep process's peak memory (VmHWM) and its queries per email for 1,000
and for 10,000 touches, which must not grow. Queries are counted with an execute wrapper, not
CaptureQueriesContext: that one keeps at most 9,000 queries (Django's queries_log limit) and
holds every SQL string in memory, which would falsify both the count and the peak.

The broker is Redis, as in production: REDIS_URL when set, else a Redis answering on the default
local port (database 14, emptied before and after); the worker and the sweep then run with
production settings (DEBUG off). Without Redis — printed as such — they run with the development
filesystem broker in a temporary folder, whose 0.1 s polling caps a worker well below an SMTP
server's pace (a development worker running on var/ never takes the benchmark's tasks). Run alone:
`python -m bench.nag` is the sweep process; `make bench` runs the whole measurement.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import secrets
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.common import BenchContext, Row, peak_memory_kb

TOUCHES = 10_000
FEW = 1_000
WORKER_CONCURRENCY = 4
WAIT_SECONDS = 900


# --- The sink, in its own process ---------------------------------------------------------------


def _sink_main(port: int, counter: Any, ready: Any) -> None:
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            with counter.get_lock():
                counter.value += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


class Sink:
    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        context = multiprocessing.get_context("fork")
        self.counter: Any = context.Value("i", 0)
        ready = context.Event()
        self.process = context.Process(
            target=_sink_main, args=(self.port, self.counter, ready), daemon=True
        )
        self.process.start()
        if not ready.wait(10):
            raise RuntimeError("the SMTP sink did not start")

    @property
    def count(self) -> int:
        return int(self.counter.value)

    def reset(self) -> None:
        with self.counter.get_lock():
            self.counter.value = 0

    def wait_for(self, count: int, timeout: float, sender: subprocess.Popen[str]) -> float:
        """Wait until the sink accepted `count` messages; returns the wall-clock time then.
        Gives up at once when the sending process failed (nothing more will come)."""
        deadline = time.monotonic() + timeout
        while self.count < count:
            if sender.poll() not in (None, 0):
                _, err = sender.communicate()
                raise RuntimeError(f"the sweep failed:\n{err[-4000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the sink got {self.count} of {count} emails in {timeout} s")
            time.sleep(0.01)
        return time.time()

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


# --- The touches ----------------------------------------------------------------------------


def _reset(org: Any) -> None:
    from django.db import connection

    from backbone.models import OutboundEmail
    from workplans.models import NagMessage, Reminder

    Reminder.objects.filter(organization=org).delete()
    OutboundEmail.objects.filter(organization=org, kind__startswith="nag_").delete()
    if connection.vendor == "postgresql":
        # A run leaves a few hundred megabytes of deleted email bodies. Vacuumed here, their
        # space serves the next run: with autovacuum off the table grew by that much per run,
        # and with it on, the clean-up would fall in the middle of a measurement.
        tables = [m._meta.db_table for m in (OutboundEmail, Reminder, NagMessage)]
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")


def _candidates(org: Any) -> list[tuple[int, str, int]]:
    """Touches that will really be sent, spread over every reachable person of the tenant:
    each person's check-ins and heads-ups where they have open commitments, the recaps of the
    meetings they committed at, then recaps of other closed meetings (the tenant seats fewer
    people than it has), dealt round-robin so 1,000 touches reach 1,000 people and 10,000
    reach them all."""
    from initiatives.models import Person
    from workplans.models import Commitment, Meeting, NagOptOut, Touch

    reachable = sorted(
        Person.objects.filter(
            organization=org,
            archived_at__isnull=True,
            nag_paused=False,
            undeliverable_at__isnull=True,
        )
        .exclude(email="")
        .exclude(pk__in=NagOptOut.objects.values("person_id"))
        .values_list("pk", flat=True)
    )
    closed = list(
        Meeting.objects.filter(organization=org, status=Meeting.Status.CLOSED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    open_at: dict[tuple[int, int], bool] = defaultdict(bool)
    for meeting_id, person_id, status in Commitment.objects.filter(
        organization=org, meeting__status=Meeting.Status.CLOSED
    ).values_list("meeting_id", "person_id", "status"):
        open_at[(meeting_id, person_id)] |= status in Commitment.ACTIVE
    per_person: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for (meeting_id, person_id), is_open in sorted(open_at.items()):
        touches = [Touch.CHECK_IN, Touch.HEADS_UP] if is_open else []
        for touch in [*touches, Touch.RECAP]:
            per_person[person_id].append((meeting_id, str(touch), person_id))
    for person_id in reachable:
        recapped = {m for m, t, _ in per_person[person_id] if t == Touch.RECAP}
        for k in range(12):
            meeting_id = closed[(person_id * 7 + k * 31) % len(closed)]
            if meeting_id not in recapped:
                recapped.add(meeting_id)
                per_person[person_id].append((meeting_id, str(Touch.RECAP), person_id))
    dealt = [
        (rank, person_id, touch)
        for person_id in reachable
        for rank, touch in enumerate(per_person[person_id])
    ]
    dealt.sort(key=lambda d: (d[0], d[1]))
    return [touch for _, _, touch in dealt]


def _create(org: Any, touches: list[tuple[int, str, int]]) -> int:
    from django.utils import timezone

    from workplans.models import Reminder

    due_at = timezone.now() - timedelta(minutes=1)
    Reminder.objects.bulk_create(
        (
            Reminder(organization=org, meeting_id=m, touch=t, person_id=p, due_at=due_at)
            for m, t, p in touches
        ),
        batch_size=2000,
    )
    return len({p for _, _, p in touches})


# --- The sweep process (python -m bench.nag) ----------------------------------------------------


def sweep_main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    # As in production: with DEBUG on, Django keeps the last 9,000 queries' SQL, email bodies
    # included, which would be most of this process's peak memory.
    settings.DEBUG = False

    from workplans.reminders import send_due_reminders

    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    started = time.time()
    with connection.execute_wrapper(count):
        result = send_due_reminders()
    print(
        json.dumps(
            {
                "started": started,
                "seconds": time.time() - started,
                "emails": result.sent_emails,
                "reminders": result.sent_reminders,
                "skipped": result.skipped,
                "queries": queries[0],
                "maxrss_kb": peak_memory_kb(),
            }
        )
    )


# --- The measurement ------------------------------------------------------------------------


LOCAL_REDIS = "redis://127.0.0.1:6379/14"


def _broker() -> str:
    """REDIS_URL, else the local Redis when one answers, else "" (the filesystem broker)."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    try:
        import redis

        client = redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1)
        client.ping()
        client.flushdb()
    except Exception:
        return ""
    return LOCAL_REDIS


def _env(sink: Sink, var_dir: Path, broker: str) -> dict[str, str]:
    from django.conf import settings

    from tests.integration.worker import database_url

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{Path(db['NAME']).resolve()}"
    else:
        url = database_url(db)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "DATABASE_URL": url,
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "BACKBONE_EMAIL_ECHO": "false",
        "BACKBONE_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
    }
    if broker:
        # The worker and the sweep run as in production (DEBUG off: no query log, no debug
        # cursor), with what production settings require.
        env.update(
            {
                "REDIS_URL": broker,
                "DEBUG": "false",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "localhost",
                "SITE_URL": "http://127.0.0.1:8000",
                "DEFAULT_FROM_EMAIL": "backbone@localhost",
            }
        )
    return env


def _run_sweep(env: dict[str, str], sink: Sink, emails: int) -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.nag"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    all_in = sink.wait_for(emails, WAIT_SECONDS, process)
    out, err = process.communicate(timeout=WAIT_SECONDS)
    if process.returncode != 0:
        raise RuntimeError(f"the sweep failed:\n{err[-4000:]}")
    report: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    report["end_to_end"] = all_in - report["started"]
    return report


def _raw_smtplib(org: Any, sink: Sink, count: int) -> float:
    """The same emails, pre-built, over one SMTP connection: emails per second."""
    from django.core.mail import EmailMultiAlternatives

    from backbone.models import OutboundEmail

    built = []
    for row in OutboundEmail.objects.filter(organization=org, kind__startswith="nag_")[:count]:
        message = EmailMultiAlternatives(
            subject=row.subject,
            body=row.body_text,
            from_email=row.from_email,
            to=row.to,
            reply_to=row.reply_to,
            headers=row.headers,
        )
        message.attach_alternative(row.body_html, "text/html")
        # As Django's SMTP backend sends it: CRLF line ends (Django's as_bytes takes linesep).
        data = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]
        built.append((row.from_email, row.to, data))
    assert len(built) == count, (len(built), count)
    sink.reset()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        for sender, to, data in built:
            smtp.sendmail(sender, to, data)
    seconds = time.perf_counter() - started
    assert sink.count == count
    return count / seconds


def delivery(ctx: BenchContext) -> list[Row]:
    from django.conf import settings
    from django.db import connections

    from tests.integration.worker import Worker

    org = ctx.organization
    connections.close_all()  # before forking the sink
    sink = Sink()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-nag-") as tmp:
        var_dir = Path(tmp) / "var"
        for folder in ("celery-broker", "celery-control"):
            (var_dir / folder).mkdir(parents=True)
        broker = _broker()
        env = _env(sink, var_dir, broker)
        worker = Worker(env, Path(tmp) / "worker.log", concurrency=WORKER_CONCURRENCY)
        worker.start(timeout=60)
        try:
            candidates = _candidates(org)
            if len(candidates) < TOUCHES:
                raise RuntimeError(f"the tenant has only {len(candidates)} touches to send")
            reports = {}
            for size in (FEW, TOUCHES):
                _reset(org)
                emails = _create(org, candidates[:size])
                sink.reset()
                report = _run_sweep(env, sink, emails)
                assert (report["emails"], report["reminders"], report["skipped"]) == (
                    emails,
                    size,
                    0,
                ), report
                reports[size] = report
            raw = _raw_smtplib(org, sink, reports[TOUCHES]["emails"])
        finally:
            worker.stop()
            sink.stop()
            _reset(org)
            if broker == LOCAL_REDIS:
                import redis

                redis.Redis.from_url(LOCAL_REDIS).flushdb()
            # Kept for a look after the run (var/ is not committed).
            shutil.copy(Path(tmp) / "worker.log", Path(settings.VAR_DIR) / "bench-nag-worker.log")
    few, many = reports[FEW], reports[TOUCHES]
    rate = many["emails"] / many["end_to_end"]
    rows.append(
        Row(
            f"{TOUCHES:,} touches → {many['emails']:,} emails",
            rate,
            "emails/s end to end",
            "raw smtplib",
            raw,
            "≥ 0.50x",
        )
    )
    rows.append(Row("raw smtplib, one connection", raw, "emails/s"))
    rows.append(
        Row(
            f"broker: {broker.rsplit('@', 1)[-1] if broker else 'filesystem (development)'}",
            WORKER_CONCURRENCY,
            "worker processes",
        )
    )
    rows.append(
        Row(
            f"{FEW:,} touches → {few['emails']:,} emails",
            few["emails"] / few["end_to_end"],
            "emails/s end to end",
            "raw smtplib",
            raw,
        )
    )
    rows.append(Row("sweep alone (10,000 touches)", many["emails"] / many["seconds"], "emails/s"))
    rows.append(Row("sweep peak memory", many["maxrss_kb"] / 1024, "MB (VmHWM)", goal="≤ 400 MB"))
    for size, report in ((FEW, few), (TOUCHES, many)):
        rows.append(
            Row(
                f"sweep queries, {size:,} touches",
                report["queries"] / report["emails"],
                f"per email ({report['queries'] / size:.2f} per touch)",
                goal="the same at both sizes",
            )
        )
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sweep_main()
