"""Finding every organization route by walking Django's URL resolver, so a suite that must cover
"every page and every API route of an organization" notices a new one without being told."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from django.urls import URLPattern, URLResolver, get_resolver

PAGE_PREFIX = "o/<slug:org_slug>/"
API_PREFIX = "api/v1/o/<slug:org_slug>/"
ORG_KWARG = "org_slug"


@dataclass(frozen=True)
class Route:
    name: str  # namespace-qualified, as reverse() takes it; "" when the pattern has no name
    pattern: str  # the whole pattern from the site root, for messages
    kwargs: tuple[str, ...]  # every URL kwarg, org_slug included
    kind: Literal["page", "api", "elsewhere"]

    @property
    def id_kwargs(self) -> tuple[str, ...]:
        return tuple(k for k in self.kwargs if k != ORG_KWARG)

    def __str__(self) -> str:
        return f"{self.name or '<unnamed>'} ({self.pattern})"


def _walk(
    patterns: Iterable[Any], prefix: str, namespace: str, kwargs: tuple[str, ...]
) -> Iterator[Route]:
    for entry in patterns:
        own = tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            child_ns = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from _walk(
                entry.url_patterns, prefix + str(entry.pattern), child_ns, kwargs + own
            )
        elif isinstance(entry, URLPattern):
            full = prefix + str(entry.pattern)
            all_kwargs = kwargs + own
            if full.startswith(API_PREFIX):
                kind: Literal["page", "api", "elsewhere"] = "api"
            elif full.startswith(PAGE_PREFIX):
                kind = "page"
            else:
                kind = "elsewhere"
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name or ""
            yield Route(name=name, pattern=full, kwargs=all_kwargs, kind=kind)


def all_routes(urlconf: Any = None) -> list[Route]:
    """Every URL pattern of the site (or of `urlconf`: a module path or a list of patterns)."""
    resolver = get_resolver(urlconf) if urlconf is None or isinstance(urlconf, str) else None
    patterns = resolver.url_patterns if resolver is not None else urlconf
    return list(_walk(patterns, "", "", ()))


def organization_routes(urlconf: Any = None) -> list[Route]:
    """Every route that runs inside one organization: it names org_slug in its URL."""
    return [r for r in all_routes(urlconf) if ORG_KWARG in r.kwargs]
