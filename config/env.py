"""Strict readers for settings that come from the environment.

django-environ reads URLs well, but its boolean parser turns any unknown word into False;
a typo such as DEBUG=ture must stop the start-up instead of silently meaning "off".
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def read_env_file(path: Path) -> None:
    """Load KEY=VALUE lines from a .env file into os.environ; real environment variables win.
    Blank lines and # comments are skipped; surrounding quotes are removed."""
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, sep, value = stripped.removeprefix("export ").partition("=")
        if not sep or not key.strip().isidentifier():
            raise ImproperlyConfigured(f"{path}:{number}: expected KEY=VALUE, got {line!r}.")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        os.environ.setdefault(key.strip(), value)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of: true, false, 1, 0, yes, no, on, off."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


# Names of required variables found missing; settings.py reports them all at once at the end,
# so an operator fixes the whole list in one go instead of one restart per variable.
MISSING: list[str] = []


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str:
    raw = os.environ.get(name, "")
    if raw.strip():
        return raw.strip()
    if required and name not in MISSING:
        MISSING.append(name)
    return default or ""


def raise_if_missing() -> None:
    if MISSING:
        raise ImproperlyConfigured(
            "Missing required environment variables for production (DEBUG is off): "
            + ", ".join(MISSING)
            + ". See README.md, 'Configuration'. For development, set DEBUG=true "
            "(make run and make test do)."
        )


def env_list(name: str, default: list[str] | None = None, *, required: bool = False) -> list[str]:
    raw = env_str(name, required=required)
    if not raw:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


# Email delivery providers reachable through django-anymail, by EMAIL_URL scheme.
ANYMAIL_PROVIDERS = {
    "postmark": ("anymail.backends.postmark.EmailBackend", "POSTMARK_SERVER_TOKEN"),
    "mailgun": ("anymail.backends.mailgun.EmailBackend", "MAILGUN_API_KEY"),
    "sendgrid": ("anymail.backends.sendgrid.EmailBackend", "SENDGRID_API_KEY"),
    "brevo": ("anymail.backends.brevo.EmailBackend", "BREVO_API_KEY"),
    "amazonses": ("anymail.backends.amazon_ses.EmailBackend", ""),
}


def parse_email_url(url: str) -> dict[str, object]:
    """Turn EMAIL_URL into the settings of the transport that really delivers mail.

    outbox://                     keep every email in the in-app outbox only (development)
    smtp://user:pass@host:25      plain SMTP;  smtp+tls:// STARTTLS (587);  smtp+ssl:// TLS (465)
    postmark://TOKEN@             and mailgun://KEY@example.org, sendgrid://KEY@, brevo://KEY@,
    amazonses://                  (credentials from the usual AWS variables) through anymail
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if scheme == "outbox":
        return {"DELIVERY": "outbox"}
    if scheme in {"smtp", "smtp+tls", "smtp+ssl"}:
        default_port = {"smtp": 25, "smtp+tls": 587, "smtp+ssl": 465}[scheme]
        return {
            "DELIVERY": "smtp",
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or default_port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtp+ssl",
            "EMAIL_TIMEOUT": int(query.get("timeout", "20")),
        }
    if scheme in ANYMAIL_PROVIDERS:
        backend, key_name = ANYMAIL_PROVIDERS[scheme]
        anymail: dict[str, str] = {}
        if key_name:
            key = unquote(parts.username or "")
            if not key:
                raise ImproperlyConfigured(
                    f"EMAIL_URL for {scheme} needs the API key before '@', e.g. {scheme}://KEY@"
                )
            anymail[key_name] = key
        if scheme == "mailgun" and parts.hostname:
            anymail["MAILGUN_SENDER_DOMAIN"] = parts.hostname
        return {"DELIVERY": scheme, "BACKEND": backend, "ANYMAIL": anymail}
    raise ImproperlyConfigured(
        f"EMAIL_URL scheme {scheme!r} is not supported; use outbox://, smtp://, smtp+tls://, "
        "smtp+ssl://, postmark://, mailgun://, sendgrid://, brevo:// or amazonses://."
    )
