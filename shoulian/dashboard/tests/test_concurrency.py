"""The rollup upkeep under real concurrency (PostgreSQL): two transactions moving the same
alert's fact, and the same counters, at once.

SQLite serialises writers (BEGIN IMMEDIATE takes the write lock at the start of every
transaction), so there the second transaction cannot even begin before the first commits and the
race cannot happen; the test needs PostgreSQL and is skipped on SQLite."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from shoulian.accounts.choices import Role
from shoulian.conftest import make_bureau, make_user
from shoulian.dashboard import services
from shoulian.dashboard.choices import Node
from shoulian.dashboard.models import AlertFact, DailyCount, NodeCount
from shoulian.workflow import clock, intake_clock
from shoulian.workflow.choices import Action
from shoulian.workflow.tests.helpers import act, fresh, new_alert, reseed_data_migrations

pytestmark = pytest.mark.django_db(transaction=True)


def _waiting_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row and row[0] == "Lock")


def test_two_transactions_moving_the_same_alert_at_once_both_count(media_root: Any) -> None:
    """A routes the alert (center → station) and holds its transaction open; B stops the alert's
    三个当场 period (as the receipt does) without touching the alert's row, and refreshes the
    fact. B must wait for A and then subtract the fact A left, not the one A replaced: otherwise
    the center keeps the alert's receipt in its 三个当场 figure, the station misses it, and B's
    stale fact row overwrites A's."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE): the race needs PostgreSQL")
    reseed_data_migrations()
    bureau = make_bureau("3501", "甲")
    clerk = make_user("clerk", bureau.center, Role.CLERK)
    alert = new_alert(clerk)
    before = AlertFact.objects.get(alert=alert)
    assert (before.unit_id, before.node, before.on_spot) == (bureau.center.pk, Node.FLOW, False)

    a_moved = threading.Event()
    b_done = threading.Event()
    b_pid: list[int] = []
    errors: list[BaseException] = []

    def route() -> None:
        try:
            with transaction.atomic():
                act(clerk, alert, Action.ROUTE, unit=bureau.station, reason="测试分派")
                a_moved.set()
                # Commit only once B is blocked on a lock (or done): the interleaving is fixed,
                # not left to the scheduler.
                deadline = time.monotonic() + 30
                while not b_done.is_set() and time.monotonic() < deadline:
                    if b_pid and _waiting_for_a_lock(b_pid[0]):
                        break
                    time.sleep(0.05)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    def receipt() -> None:
        try:
            assert a_moved.wait(timeout=30)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    b_pid.append(cursor.fetchone()[0])
                clock.stop(fresh(alert), intake_clock.WALKIN, "已出具接报案回执", timezone.now())
                services.fact_refresh([alert.pk])
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            b_done.set()
            connections.close_all()

    threads = [threading.Thread(target=route), threading.Thread(target=receipt)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not errors, errors

    fact = AlertFact.objects.get(alert=alert)
    assert (fact.unit_id, fact.node, fact.on_spot) == (bureau.station.pk, Node.FLOW, True)
    for station in DailyCount.objects.filter(unit=bureau.station):  # the day's, week's, month's
        assert (station.n, station.spot_total, station.spot_ok) == (1, 1, 1)
    assert (
        not DailyCount.objects.filter(unit=bureau.center)
        .exclude(n=0, spot_total=0, spot_ok=0)
        .exists()
    )
    assert NodeCount.objects.get(unit=bureau.station, node=Node.FLOW).n == 1
    assert services.rollups_rederive(repair=False).total == 0
