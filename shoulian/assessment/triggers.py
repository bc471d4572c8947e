"""The database triggers that keep the score ledger append-only (issue 16): UPDATE and DELETE of
a ledger row are refused by the database itself, not only by ``ScoreEntry`` and its queryset, so
a raw SQL statement, a bulk operation that bypasses the model or a bug in a later migration
cannot rewrite a score either. A correction is a new entry (a reversal, an adjustment).

The one exception is the journal's own ``flush`` maintenance mode (``audit.guard``), which only
the test settings allow: the test runner empties the tables between browser tests. The triggers
read the mode the way the journal's do (``shoulian_audit_mode()`` on SQLite, the transaction-local
``shoulian.audit_mode`` setting on PostgreSQL). Installed by migration 0003.
"""

from __future__ import annotations

from typing import Any

TABLE = "assessment_scoreentry"
UPDATE_TRIGGER = f"shoulian_{TABLE}_no_update"
DELETE_TRIGGER = f"shoulian_{TABLE}_no_delete"
TRUNCATE_TRIGGER = f"shoulian_{TABLE}_no_truncate"
MESSAGE = "score ledger is append-only"


def expected_triggers(vendor: str) -> dict[str, str]:
    """Trigger name → table."""
    names = {UPDATE_TRIGGER: TABLE, DELETE_TRIGGER: TABLE}
    if vendor == "postgresql":
        names[TRUNCATE_TRIGGER] = TABLE
    return names


_SQLITE = [
    f"CREATE TRIGGER {UPDATE_TRIGGER} BEFORE UPDATE ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE refused'); END",
    f"CREATE TRIGGER {DELETE_TRIGGER} BEFORE DELETE ON {TABLE} "
    "WHEN NOT (shoulian_audit_mode() = 'flush') "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE refused'); END",
]

_PG = [
    f"""
    CREATE OR REPLACE FUNCTION shoulian_score_ledger_refuse() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF coalesce(current_setting('shoulian.audit_mode', true), '') = 'flush'
         AND TG_OP IN ('DELETE', 'TRUNCATE') THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NULL;
      END IF;
      RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
    f"CREATE TRIGGER {UPDATE_TRIGGER} BEFORE UPDATE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION shoulian_score_ledger_refuse()",
    f"CREATE TRIGGER {DELETE_TRIGGER} BEFORE DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION shoulian_score_ledger_refuse()",
    f"CREATE TRIGGER {TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION shoulian_score_ledger_refuse()",
]


def install(apps: Any, schema_editor: Any) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = _SQLITE
    elif vendor == "postgresql":
        statements = _PG
    else:
        raise RuntimeError(f"the score ledger does not support {vendor}")
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
        if vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS shoulian_score_ledger_refuse()")
