"""Part of an alert number ("0715-0012") is found through a trigram index on SQLite too (issue
14): an FTS5 table of the numbers with the trigram tokenizer (SQLite ≥ 3.34), kept by triggers
in the transaction of the alert's own writes. Without it the search walked every alert the user
may see (a station's search for a number it cannot see read the whole table). PostgreSQL has
had its pg_trgm index since 0008."""

from django.db import migrations

TABLE = "intake_alert_number_fts"

CREATE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "number, content='intake_alert', content_rowid='id', tokenize='trigram')",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_insert AFTER INSERT ON intake_alert BEGIN
        INSERT INTO {TABLE}(rowid, number) VALUES (new.id, new.number);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON intake_alert BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, number) VALUES ('delete', old.id, old.number);
    END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF number ON intake_alert BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, number) VALUES ('delete', old.id, old.number);
        INSERT INTO {TABLE}(rowid, number) VALUES (new.id, new.number);
    END""",
    # The alerts registered before this migration.
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
]

DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {TABLE}_update",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in CREATE:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0009_external_ref_any_case"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
