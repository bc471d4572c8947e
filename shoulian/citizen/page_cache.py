"""The cache of the verified progress-query page.

The page is rendered once per state of its subject (``selectors.view_state``) and kept for a
minute; the CSRF token and the complaint form's idempotency key are filled in per request. It
holds allow-listed public fields only, and is served only after the signed view cookie has been
checked; every view is still journalled (by the caller).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token

from shoulian.citizen import selectors, services

PAGE_CACHE_SECONDS = 60
STATE_CACHE_SECONDS = 5
# Placeholders the shared page carries where each request's own values go.
CSRF_MARK = "__CSRF_TOKEN__"
KEY_MARK = "__IDEMPOTENCY_KEY__"


def subject_state(verified: services.Verified, *, fresh: bool) -> selectors.ViewState | None:
    """What the page depends on, read again at most every few seconds per verified session: a
    citizen refreshing the page repeats this request, and each look-up must still be
    journalled; a new verification always reads afresh (``fresh`` skips the cache)."""
    state_key = f"citizen:state:{verified.token}"
    state = None if fresh else cache.get(state_key)
    if state is None:
        state = selectors.view_state(verified.subject_type, verified.subject_id)
        if state is None:
            return None
        cache.set(state_key, state, STATE_CACHE_SECONDS)
    return state


def page_key(
    kiosk: bool, verified: services.Verified, state: selectors.ViewState, *, large: bool = False
) -> str:
    """``large``: the large-type page (its body class differs) is cached apart."""
    return (
        f"citizen:page:{int(kiosk)}{'L' if large else ''}:{verified.subject_type}:"
        f"{verified.subject_id}:{state.key}"
    ).replace(" ", "T")  # timestamps as the driver writes them; cache keys take no spaces


def shared_page(request: HttpRequest, key: str, render: Callable[[], str | None]) -> str | None:
    """The page under ``key`` with this request's CSRF token and a fresh idempotency key filled
    in; ``render`` draws it with the placeholders on a miss (None: its subject is gone)."""
    html = cache.get(key)
    if html is None:
        html = render()
        if html is None:
            return None
        cache.set(key, html, PAGE_CACHE_SECONDS)
    return str(html).replace(CSRF_MARK, get_token(request)).replace(KEY_MARK, uuid.uuid4().hex)
