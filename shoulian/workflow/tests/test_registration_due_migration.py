"""Retiring ``Alert.registration_due_at`` (workflow 0007, intake 0007): the due time survives
both ways — forwards as the engine's ``urgent_registration`` deadline, backwards in the column."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shoulian.deadlines.models import Deadline
from shoulian.intake.tests.helpers import import_110
from shoulian.workflow.tests.helpers import reseed_data_migrations

BEFORE = [("intake", "0006_alter_evidencefile_purpose"), ("workflow", "0006_conclusion_chains_and_penalty")]  # fmt: skip


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_a_rollback_puts_each_due_time_back_in_the_column(clerk: Any, bureau_a: Any) -> None:
    reseed_data_migrations()
    alert = import_110(clerk, station_code=bureau_a.station.code).alert
    due = Deadline.objects.get(object_type="alert", object_id=str(alert.pk), code="urgent_registration").due_at  # fmt: skip
    assert due is not None
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("SELECT registration_due_at FROM intake_alert WHERE id = %s", [alert.pk])
            (stored,) = cursor.fetchone()
        if isinstance(stored, str):  # SQLite hands back the text it stores
            from django.utils.dateparse import parse_datetime

            stored = parse_datetime(stored)
        assert stored is not None and stored.replace(tzinfo=None) == due.replace(tzinfo=None)
    finally:
        executor = MigrationExecutor(connection)
        _migrate(executor.loader.graph.leaf_nodes())
    assert Deadline.objects.filter(object_id=str(alert.pk), code="urgent_registration").count() == 1
