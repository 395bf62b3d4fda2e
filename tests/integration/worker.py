"""A real Celery worker process for integration tests and benchmarks, and an SMTP server
that can hold one message mid-delivery.

The worker runs `celery -A config worker` with the environment it is given: the same
database the test process writes to (its test database, committed data) and the same broker.
It uses the solo pool, so SIGKILL kills the one process doing the work."""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiosmtpd.controller import Controller
from django.conf import settings

REPO = Path(settings.BASE_DIR)


def database_url(db: dict[str, Any]) -> str:
    """A DATABASE_URL for the database this process is connected to (the test database)."""
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{db['NAME']}"


class Worker:
    def __init__(self, env: dict[str, str], log: Path, *, concurrency: int = 1) -> None:
        self.env = env
        self.log = log
        self.concurrency = concurrency
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> None:
        started_at = self.log.stat().st_size if self.log.exists() else 0
        pool = ["--pool=solo"] if self.concurrency == 1 else [f"--concurrency={self.concurrency}"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "config",
                    "worker",
                    *pool,
                    "--loglevel=INFO",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    f"--hostname=test-{os.getpid()}-{time.monotonic_ns()}@%h",
                ],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the worker exited at start:\n{self.output()}")
            with self.log.open("rb") as f:
                f.seek(started_at)
                if b" ready." in f.read():
                    return
            time.sleep(0.1)
        raise AssertionError(f"the worker was not ready within {timeout} s:\n{self.output()}")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, no acknowledgement, no finally block runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@dataclass
class Accepted:
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class _Handler:
    accepted: list[Accepted] = field(default_factory=list)
    arrivals: int = 0
    # The arrival (0-based) to hold in the middle of DATA, and never accept.
    hold: int | None = None
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    parse: bool = True

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        arrival = self.arrivals
        self.arrivals += 1
        if arrival == self.hold:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            # The sender went away before we answered: the message was never accepted.
            return "451 4.3.0 Not accepted"
        message: Any = (
            email.message_from_bytes(envelope.content, policy=email.policy.default)
            if self.parse
            else None
        )
        self.accepted.append(Accepted(list(envelope.rcpt_tos), message))
        return "250 OK"


class HoldingSMTPServer:
    """An SMTP server on a free loopback port; `hold` one arrival to stage a crash mid-send."""

    def __init__(self, *, parse: bool = True) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.handler = _Handler(parse=parse)
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def accepted(self) -> list[Accepted]:
        return self.handler.accepted

    def wait_for(self, count: int, timeout: float) -> list[Accepted]:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.accepted)

    def __enter__(self) -> HoldingSMTPServer:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.handler.release.set()
        self._controller.stop()
