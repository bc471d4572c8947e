"""The inspector's scope as a column (issue 14): generated from the body like the other searchable
columns (outside the hash, derived for the rows already written), read from an index beside the
journal's order instead of by matching text inside every body (EXPLAIN on SQLite and
PostgreSQL). The seal badge every page shows counts what waits from the last sealed id."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from shoulian.audit import sealer, verify
from shoulian.audit.catalogue import EventType
from shoulian.audit.journal import record
from shoulian.audit.models import AuditCheckpoint, AuditEvent, AuditLeaf
from shoulian.audit.selectors import JournalFilter, journal_events
from shoulian.core.paging import explain, scans_table

TABLE = "audit_auditevent"


def _scope(event: AuditEvent) -> str:
    return str(AuditEvent.objects.values_list("scope_path", flat=True).get(pk=event.pk))


@pytest.mark.django_db
def test_the_journal_page_checks_the_scope_in_the_index_of_its_order(inspector: Any) -> None:
    events = journal_events(user=inspector, filters=JournalFilter())
    where = str(events.query).split(" WHERE ", 1)[1]
    assert "scope_path" in where and "body" not in where, where
    plan = explain(events[:51])
    assert "audit_scope_idx" in plan, plan
    assert not scans_table(plan, TABLE), plan


@pytest.mark.django_db
def test_the_journal_page_filtered_by_type_reads_an_index_and_no_body(inspector: Any) -> None:
    events = journal_events(user=inspector, filters=JournalFilter(event_type=1))
    plan = explain(events[:51], sorts=True)
    assert "audit_type_idx" in plan, plan
    assert not scans_table(plan, TABLE, sorts=False), plan
    assert "body" not in plan, plan


@pytest.mark.django_db
def test_the_scope_is_the_actors_unit_else_the_subjects_else_none(
    inspector: Any, officer: Any, outsider: Any, bureau_a: Any
) -> None:
    by_officer = record(EventType.USER_UPDATED, obj=outsider, actor=officer)
    about_outsider = record(EventType.USER_UPDATED, obj=outsider)
    about_nobody = record(EventType.USER_UPDATED)
    about_no_unit = record(EventType.USER_UPDATED, data={"subject_unit_path": ""})
    assert _scope(by_officer) == officer.unit.path
    assert _scope(about_outsider) == outsider.unit.path
    assert _scope(about_nobody) == ""
    assert _scope(about_no_unit) == "?"
    seen = set(journal_events(user=inspector, filters=JournalFilter()).values_list("pk", flat=True))
    assert by_officer.pk in seen and about_nobody.pk in seen
    assert about_outsider.pk not in seen and about_no_unit.pk not in seen


@pytest.mark.django_db
def test_the_structure_check_knows_the_scope_column() -> None:
    report = verify.Report()
    verify.check_structure(report)
    assert report.ok, report.findings


def _migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_the_migration_derives_the_scope_of_events_written_before_it(officer: Any) -> None:
    written = record(EventType.USER_UPDATED, obj=officer, actor=officer)
    nobody = record(EventType.USER_UPDATED)
    try:
        _migrate([("audit", "0004_outcome_index")])
        with connection.cursor() as cursor:
            columns = [
                c.name for c in connection.introspection.get_table_description(cursor, TABLE)
            ]
        assert "scope_path" not in columns
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert _scope(written) == officer.unit.path and _scope(nobody) == ""
    # The append-only triggers are still there (SQLite did not rebuild the table) and the
    # column is generated from the body.
    report = verify.Report()
    verify.check_structure(report)
    assert report.ok, report.findings


@pytest.mark.django_db
def test_the_unsealed_check_counts_from_the_last_sealed_id(signing_key: Any, officer: Any) -> None:
    record(EventType.USER_UPDATED, obj=officer, actor=officer)
    sealer.seal_all(key=signing_key)
    last = AuditCheckpoint.objects.order_by("-tree_size").first()
    record(EventType.USER_UPDATED, obj=officer, actor=officer)
    record(EventType.USER_UPDATED, obj=officer, actor=officer)
    with CaptureQueriesContext(connection) as queries:
        assert sealer.unsealed_count(last) == 2
    reads = [q["sql"] for q in queries.captured_queries if f'FROM "{TABLE}"' in q["sql"]]
    # Every read of the journal is bounded by the last sealed id, none walks every event.
    assert reads and all(f'"{TABLE}"."id" >' in sql or f'"{TABLE}"."id" <' in sql for sql in reads)
    top = AuditLeaf.objects.aggregate(top=Max("event_id"))["top"]
    plan = explain(AuditEvent.objects.filter(id__gt=top).values("id"))
    assert not scans_table(plan, TABLE), plan
    if connection.vendor == "postgresql":
        late = AuditEvent.objects.filter(xact__gte=last.watermark if last else 0, id__lt=top)
        plan = explain(late.values("id"))
        # Through an index (which one is the planner's call: over test workers the journal holds
        # other tests' rows and the statistics may prefer the id bound), never the whole table.
        assert not scans_table(plan, TABLE), plan
