"""HTML to PDF with WeasyPrint, for the board packet (templates/dashboard/packet/).

Nothing is fetched over the network while a PDF is made: charts are embedded as data: URIs, the
print stylesheet is inlined, fonts are the system's (DejaVu and Liberation on Debian, found by
fontconfig), and the URL fetcher refuses every http(s) address. Only this site's static files
are read, from disk.
"""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

# WeasyPrint logs every step and page at INFO; a packet would fill the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

MIME_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
}


# Addresses in a packet's HTML ("/static/css/…") are resolved against file:///, then read from
# the static files' folders (staticfiles finders): only addresses under STATIC_URL are served.
BASE_URL = "file:///"


class FetchRefused(ValueError):
    """A resource the PDF would have fetched from elsewhere."""


@dataclass(frozen=True)
class Pdf:
    data: bytes
    page_count: int


def svg_data_uri(svg: str) -> SafeString:
    """A chart as an image address: each chart's ids stay inside its own image (several inline
    SVGs on one page would repeat pygal's ids) and WeasyPrint draws it as a picture."""
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return mark_safe(f"data:image/svg+xml;base64,{encoded}")  # noqa: S308 - base64 only


def _static_path(url: str) -> str | None:
    """The file on disk behind one of this site's static addresses, or None."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if parts.scheme != "file" or parts.netloc or not path.startswith(settings.STATIC_URL):
        return None
    name = path[len(settings.STATIC_URL) :]
    if not name or ".." in name.split("/"):
        return None
    found = finders.find(name)
    return str(found) if isinstance(found, str) else None


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PacketFetcher(URLFetcher):
        """data: URIs and this site's static files only; everything else is refused (a packet
        must not depend on, or reveal its reader to, another server)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = _static_path(url)
            if path is None:
                raise FetchRefused(f"The board packet does not fetch {url[:200]}")
            suffix = path[path.rfind(".") :].lower() if "." in path else ""
            with open(path, "rb") as handle:
                body = handle.read()
            content_type = MIME_TYPES.get(suffix, "application/octet-stream")
            return URLFetcherResponse(url, body, {"Content-Type": content_type})

    return PacketFetcher(allowed_protocols={"data", "file"}, allow_redirects=False)


def html_to_pdf(html: str, *, before_writing: Callable[[], None] | None = None) -> Pdf:
    """Lay out `html` and write it as PDF; the page count is that of the laid-out document.
    `before_writing` is called between the two (the layout takes most of the time)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).render()
    if before_writing is not None:
        before_writing()
    return Pdf(data=document.write_pdf(), page_count=len(document.pages))


def render_pdf(
    template: str, context: dict[str, Any], *, before_writing: Callable[[], None] | None = None
) -> Pdf:
    return html_to_pdf(render_to_string(template, context), before_writing=before_writing)


def css_string(text: str) -> SafeString:
    """`text` as a quoted CSS string, safe inside a <style> element."""
    escaped = (
        re.sub(r"\s", " ", str(text))
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("<", "\\3c ")
        .replace(">", "\\3e ")
    )
    return mark_safe(f'"{escaped}"')  # noqa: S308 - quoted and escaped above


def page_of_content(template: str) -> SafeString:
    """A translated "Page %(page)s of %(pages)s" as a CSS `content` value with the page
    counters in place, in whatever order the language puts them."""
    parts: list[str] = []
    rest = template
    while rest:
        positions = [
            (rest.find(token), token, counter)
            for token, counter in (("%(page)s", "counter(page)"), ("%(pages)s", "counter(pages)"))
            if token in rest
        ]
        if not positions:
            parts.append(css_string(rest))
            break
        index, token, counter = min(positions)
        if index:
            parts.append(css_string(rest[:index]))
        parts.append(counter)
        rest = rest[index + len(token) :]
    return mark_safe(" ".join(parts) or '""')  # noqa: S308 - quoted by css_string
