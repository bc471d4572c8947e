"""R5 (one submission, one alert), R6 (numbers unique under concurrent intake; concurrent edits:
one wins) on whichever database the run uses."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shoulian.audit.catalogue import EventType
from shoulian.audit.models import AuditEvent
from shoulian.conftest import login_as
from shoulian.intake import services
from shoulian.intake.models import Alert, AlertNumberCounter, IdempotencyKey
from shoulian.intake.tests.helpers import alert_input, category, import_110, register


def run_together(workers: list[Callable[[], Any]]) -> list[Any]:
    """Start the callables at the same moment in threads, each with its own connection."""
    if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
        # Shared-cache in-memory SQLite locks whole tables and ignores busy_timeout; it says
        # nothing about the WAL file database the product runs on.
        pytest.skip("concurrency needs a file SQLite test database (DATABASES TEST NAME)")
    barrier = threading.Barrier(len(workers))
    results: list[Any] = [None] * len(workers)

    def run(index: int, work: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = work()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test thread
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    close_old_connections()
    return results


@pytest.mark.django_db
def test_replay_with_the_same_key_returns_the_first_alert(clerk: Any) -> None:
    data = alert_input()
    first = services.alert_register(actor=clerk, data=data, idempotency_key="k-1")
    second = services.alert_register(actor=clerk, data=data, idempotency_key="k-1")
    assert second.replayed and second.alert == first.alert and second.response == first.response
    assert Alert.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.ALERT_REGISTERED).count() == 1


@pytest.mark.django_db
def test_same_key_with_other_content_is_refused(clerk: Any) -> None:
    services.alert_register(actor=clerk, data=alert_input(), idempotency_key="k-2")
    with pytest.raises(services.IdempotencyConflict):
        services.alert_register(
            actor=clerk, data=alert_input(narrative="完全不同的案情。"), idempotency_key="k-2"
        )
    assert Alert.objects.count() == 1
    assert AuditEvent.objects.filter(event_type=EventType.IDEMPOTENCY_CONFLICT).count() == 1


@pytest.mark.django_db
def test_keys_are_per_submitter(clerk: Any, auxiliary_clerk: Any) -> None:
    services.alert_register(actor=clerk, data=alert_input(), idempotency_key="same")
    services.alert_register(actor=auxiliary_clerk, data=alert_input(), idempotency_key="same")
    assert Alert.objects.count() == 2


@pytest.mark.django_db
def test_double_click_on_the_form_creates_one_alert(clerk: Any) -> None:
    from shoulian.intake.tests.test_registration import form_data

    client = login_as(Client(), clerk)
    data = form_data()
    first = client.post(reverse("intake:register"), data)
    second = client.post(reverse("intake:register"), data)
    assert first["Location"] == second["Location"]
    assert Alert.objects.count() == 1
    page = client.get(second["Location"]).content.decode()
    assert "未重复登记" in page


@pytest.mark.django_db
def test_form_with_reused_key_and_other_content_answers_422(clerk: Any) -> None:
    from shoulian.intake.tests.test_registration import form_data

    client = login_as(Client(), clerk)
    data = form_data()
    client.post(reverse("intake:register"), data)
    response = client.post(reverse("intake:register"), {**data, "narrative": "另一起警情。"})
    assert response.status_code == 422 and "未重复登记" in response.content.decode()
    assert Alert.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_creates_one_alert(clerk: Any) -> None:
    category("0103")
    data = alert_input()
    key = uuid.uuid4().hex
    results = run_together(
        [
            lambda: services.alert_register(actor=clerk, data=data, idempotency_key=key)
            for _ in range(4)
        ]
    )
    assert all(isinstance(r, services.Registration) for r in results), results
    assert len({r.alert.pk for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert Alert.objects.count() == 1 and IdempotencyKey.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_intake_gives_unique_sequential_numbers(
    clerk: Any, auxiliary_clerk: Any
) -> None:
    category("0103")

    def worker(user: Any) -> Callable[[], list[str]]:
        def work() -> list[str]:
            return [register(user).alert.number for _ in range(3)]

        return work

    results = run_together([worker(clerk), worker(auxiliary_clerk)] * 3)
    assert all(isinstance(r, list) for r in results), results
    numbers = [n for batch in results for n in batch]
    assert len(numbers) == len(set(numbers)) == 18
    sequences = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequences == list(range(1, 19))
    counter = AlertNumberCounter.objects.get()
    assert counter.last == 18 and counter.day == timezone.localdate()


@pytest.mark.django_db
def test_numbers_restart_per_unit(clerk: Any, bureau_a: Any) -> None:
    from shoulian.accounts.choices import Role
    from shoulian.conftest import make_user

    station_clerk = make_user("stclerk", bureau_a.station, Role.CLERK)
    assert register(clerk).alert.number.endswith("-0001")
    assert register(clerk).alert.number.endswith("-0002")
    assert register(station_clerk).alert.number.endswith("-0001")


@pytest.mark.django_db(transaction=True)
def test_concurrent_completion_lets_exactly_one_editor_win(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = import_110(clerk, station_code=bureau_a.station.code).alert
    base = alert_input(category_code="0201", items=(), parties=())

    opened = alert.version  # both editors opened the form at this version

    def complete(user: Any, narrative: str) -> Callable[[], Any]:
        data = services.AlertInput(**{**base.__dict__, "narrative": narrative})
        # Each request works on its own copy of the row, read before either saved.
        copy = Alert.objects.get(pk=alert.pk)
        return lambda: services.alert_complete_registration(
            actor=user, alert=copy, version=opened, data=data
        )

    results = run_together(
        [complete(clerk, "接报员补录的案情。"), complete(officer, "民警补录的案情。")]
    )
    winners = [r for r in results if isinstance(r, Alert)]
    losers = [r for r in results if isinstance(r, services.ConcurrentUpdate)]
    assert len(winners) == 1 and len(losers) == 1, results
    alert.refresh_from_db()
    assert alert.version == 2 and alert.narrative == winners[0].narrative
    assert AuditEvent.objects.filter(event_type=EventType.ALERT_REGISTRATION_COMPLETED).count() == 1


@pytest.mark.django_db
def test_stale_completion_form_gets_a_conflict_page(
    clerk: Any, officer: Any, bureau_a: Any
) -> None:
    alert = import_110(clerk, station_code=bureau_a.station.code).alert
    stale = alert.version
    services.alert_complete_registration(
        actor=clerk,
        alert=alert,
        version=stale,
        data=alert_input(category_code="0201", items=(), parties=()),
    )
    Alert.objects.filter(pk=alert.pk).update(registration_completed_at=None)
    from shoulian.intake.tests.test_registration import form_data

    # The officer opened the form before the clerk saved: it still carries the old version.
    data = form_data(version=str(stale))
    response = login_as(Client(), officer).post(reverse("intake:complete", args=[alert.pk]), data)
    assert response.status_code == 409 and "已被他人修改" in response.content.decode()
