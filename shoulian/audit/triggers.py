"""The database triggers that make the journal append-only (U3) with a 365-day floor (U6).

Installed by migration 0002; ``expected_triggers`` is what the verifier checks is still in place
and enabled (a disabled trigger is a finding, not a detail).
"""

from __future__ import annotations

from typing import Any

EVENT_TABLE = "audit_auditevent"
OTHER_TABLES = ("audit_auditleaf", "audit_audittreenode", "audit_auditcheckpoint")
TABLES = (EVENT_TABLE, *OTHER_TABLES)

RETENTION_FLOOR_SECONDS = 365 * 86_400

_SQLITE_NOW_SECONDS = "((julianday('now') - 2440587.5) * 86400.0)"


INSERT_GUARD = f"shoulian_{EVENT_TABLE}_no_insert_below"


def expected_triggers(vendor: str) -> dict[str, str]:
    """Trigger name → table."""
    names: dict[str, str] = {INSERT_GUARD: EVENT_TABLE}
    for table in TABLES:
        names[f"shoulian_{table}_no_update"] = table
        names[f"shoulian_{table}_no_delete"] = table
        if vendor == "postgresql":
            names[f"shoulian_{table}_no_truncate"] = table
    if vendor == "postgresql":
        names[f"shoulian_{EVENT_TABLE}_xact"] = EVENT_TABLE
    return names


def _sqlite_statements() -> list[str]:
    statements = []
    for table in TABLES:
        statements.append(
            f"CREATE TRIGGER shoulian_{table}_no_update BEFORE UPDATE ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'audit journal is append-only: UPDATE refused'); END"
        )
        allowed = "shoulian_audit_mode() = 'flush'"
        if table == EVENT_TABLE:
            allowed += (
                " OR (shoulian_audit_mode() = 'purge' AND OLD.occurred_us < "
                f"({_SQLITE_NOW_SECONDS} - {RETENTION_FLOOR_SECONDS}) * 1000000)"
            )
        statements.append(
            f"CREATE TRIGGER shoulian_{table}_no_delete BEFORE DELETE ON {table} "
            f"WHEN NOT ({allowed}) "
            "BEGIN SELECT RAISE(ABORT, 'audit journal is append-only: DELETE refused "
            "(retention floor 365 days)'); END"
        )
    return statements


_PG_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION shoulian_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF coalesce(current_setting('shoulian.audit_mode', true), '') = 'flush'
         AND TG_OP IN ('DELETE', 'TRUNCATE') THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NULL;
      END IF;
      RAISE EXCEPTION 'audit journal is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    f"""
    CREATE OR REPLACE FUNCTION shoulian_audit_event_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      mode text := coalesce(current_setting('shoulian.audit_mode', true), '');
    BEGIN
      IF mode = 'flush' THEN RETURN OLD; END IF;
      IF mode = 'purge' THEN
        IF OLD.occurred_us < ((extract(epoch FROM clock_timestamp()) - {RETENTION_FLOOR_SECONDS})
                              * 1000000)::bigint THEN
          RETURN OLD;
        END IF;
      END IF;
      RAISE EXCEPTION 'audit journal is append-only: DELETE refused (retention floor 365 days)'
        USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    """
    CREATE OR REPLACE FUNCTION shoulian_audit_event_xact() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.xact := pg_current_xact_id()::text::bigint;
      RETURN NEW;
    END $$
    """,
]


def _pg_statements() -> list[str]:
    statements = list(_PG_FUNCTIONS)
    for table in TABLES:
        delete_function = (
            "shoulian_audit_event_delete" if table == EVENT_TABLE else "shoulian_audit_refuse"
        )
        statements += [
            f"CREATE TRIGGER shoulian_{table}_no_update BEFORE UPDATE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION shoulian_audit_refuse()",
            f"CREATE TRIGGER shoulian_{table}_no_delete BEFORE DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {delete_function}()",
            f"CREATE TRIGGER shoulian_{table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION shoulian_audit_refuse()",
        ]
    statements.append(
        f"CREATE TRIGGER shoulian_{EVENT_TABLE}_xact BEFORE INSERT ON {EVENT_TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION shoulian_audit_event_xact()"
    )
    return statements


# No event may be inserted at or below the highest sealed event id (issue 13): the sealer would
# never take it (SQLite seals by id) and it would sit outside the tree while the journal verified.
# The application's inserts always draw a new id above everything drawn before; on PostgreSQL the
# function is STABLE so its query reads the statement's snapshot, taken before the id was drawn:
# every sealed id it sees was handed out earlier, so a genuine insert can never trip it.
_SQLITE_INSERT_GUARD = (
    f"CREATE TRIGGER {INSERT_GUARD} AFTER INSERT ON {EVENT_TABLE} "  # noqa: S608
    "WHEN NEW.id <= (SELECT coalesce(max(event_id), 0) FROM audit_auditleaf) "
    "BEGIN SELECT RAISE(ABORT, 'audit journal: INSERT at or below the sealed event id refused'); END"
)
_PG_INSERT_GUARD = [
    """
    CREATE OR REPLACE FUNCTION shoulian_audit_event_insert_guard() RETURNS trigger
    LANGUAGE plpgsql STABLE AS $$
    BEGIN
      IF NEW.id <= (SELECT coalesce(max(event_id), 0) FROM audit_auditleaf) THEN
        RAISE EXCEPTION 'audit journal: INSERT at or below the sealed event id refused (id %)',
          NEW.id USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$
    """,
    f"CREATE TRIGGER {INSERT_GUARD} BEFORE INSERT ON {EVENT_TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION shoulian_audit_event_insert_guard()",
]


def install_insert_guard(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    statements = [_SQLITE_INSERT_GUARD] if vendor == "sqlite" else _PG_INSERT_GUARD
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall_insert_guard(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS {INSERT_GUARD} ON {EVENT_TABLE}")
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {INSERT_GUARD}")


def install(apps: Any, schema_editor: Any) -> None:
    """The append-only triggers of migration 0002 (the insert guard is migration 0003's)."""
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _sqlite_statements()
    elif vendor == "postgresql":
        statements = _pg_statements()
    else:
        raise RuntimeError(f"the audit journal does not support {vendor}")
    # Straight to the cursor: with parameters Django would rewrite the '%' in the SQL.
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def uninstall(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for name, table in expected_triggers(vendor).items():
            if vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
