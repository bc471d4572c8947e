"""Z1: every URL pattern × every role in two bureaus. Z3: another bureau's object is a 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from shoulian.conftest import PERSONA_NAMES, login_as
from shoulian.core.tests.matrix import PUBLIC, collect_rules, iter_url_names

MATRIX_PERSONAS = (*PERSONA_NAMES, "outsider_admin")


def test_every_url_pattern_is_classified() -> None:
    rules = collect_rules()
    names = set(iter_url_names())
    unclassified = sorted(names - rules.keys())
    assert not unclassified, (
        "These URL names have no access rule; add them to shoulian/<app>/tests/url_access.py: "
        f"{unclassified}"
    )
    stale = sorted(rules.keys() - names)
    assert not stale, f"Access rules for URL names that no longer exist: {stale}"


def _url(name: str, kwargs: dict[str, Any] | None) -> str:
    return reverse(name, kwargs=kwargs or None)


@pytest.mark.django_db
def test_anonymous_reaches_only_public_urls(bureau_a: Any, bureau_b: Any, personas: Any) -> None:
    client = Client()
    for name, rule in collect_rules().items():
        kwargs = rule.kwargs(personas["officer"], bureau_a, bureau_b) if rule.kwargs else None
        response = client.get(_url(name, kwargs))
        if rule.allowed == PUBLIC:
            expected = rule.anonymous or rule.ok
            assert response.status_code == expected, (name, response.status_code)
        else:
            assert response.status_code == 302, (name, response.status_code)
            assert response["Location"].startswith(reverse(settings.LOGIN_URL)), name


@pytest.mark.django_db
@pytest.mark.parametrize("persona_name", MATRIX_PERSONAS)
def test_each_role_gets_exactly_its_urls(
    persona_name: str,
    request: pytest.FixtureRequest,
    bureau_a: Any,
    bureau_b: Any,
    personas: Any,
    outsider_admin: Any,
) -> None:
    user = request.getfixturevalue(persona_name)
    in_b = user.unit.bureau() == bureau_b.bureau
    own, other = (bureau_b, bureau_a) if in_b else (bureau_a, bureau_b)
    client = login_as(Client(), user)
    failures = []
    for name, rule in collect_rules().items():
        if rule.allowed == PUBLIC:
            continue
        kwargs = rule.kwargs(user, own, other) if rule.kwargs else None
        response = client.get(_url(name, kwargs))
        expected = rule.ok if rule.permits(user) else 403
        if response.status_code != expected:
            failures.append((name, kwargs, expected, response.status_code))
        if rule.foreign and rule.permits(user):
            foreign = rule.foreign(user, own, other)
            # POST-only actions answer 405 to GET before any lookup: probe them with POST.
            send = client.post if rule.ok == 405 else client.get
            response = send(_url(name, foreign))
            # Z3: an object of another bureau answers exactly like a missing one.
            if response.status_code != 404:
                failures.append((name, foreign, 404, response.status_code))
    assert not failures, f"{persona_name}: {failures}"


@pytest.mark.django_db
def test_foreign_object_response_equals_missing_object_response(
    admin_user: Any, outsider_admin: Any
) -> None:
    client = login_as(Client(), admin_user)
    foreign = client.get(reverse("users:detail", kwargs={"pk": outsider_admin.pk}))
    missing = client.get(reverse("users:detail", kwargs={"pk": 987654321}))
    assert foreign.status_code == missing.status_code == 404

    # Same template, same words: only the request id differs.
    def strip(response: Any) -> str:
        return str(response.content.decode().split("错误编号")[0])

    assert strip(foreign) == strip(missing)
