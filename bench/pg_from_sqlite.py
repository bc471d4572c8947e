"""Copy a benchmark database from SQLite into a new PostgreSQL one, row for row (a tool of the
scale benchmarks, not of the product).

The demo seeding through the services (``generate.seed_template``) takes minutes on SQLite and
over an hour on PostgreSQL on the shared machine; this copies a seeded SQLite template instead::

    .venv/bin/python bench/pg_from_sqlite.py bench/var/template.sqlite3 shoulian_bench_template

The target is created and migrated, every table is emptied and then loaded with COPY from the
SQLite rows as they are (keys, journal bodies, seals, ciphertexts and blind indexes unchanged, so
the journal verifies and the personal data opens), with the foreign-key triggers off during the
load (``session_replication_role = replica``); generated columns are left to PostgreSQL; the
sequences are reset and the tables analysed. SQLite's stored forms are PostgreSQL's input forms
(UTC ``YYYY-MM-DD HH:MM:SS`` timestamps read in a UTC session, 0/1 booleans, JSON text, 32-digit
UUIDs); a duration (integer microseconds on SQLite) is written as an interval.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import generate as gen  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sqlite", help="source SQLite file (read only)")
    parser.add_argument("pg", help="target PostgreSQL database (shoulian_bench*, recreated)")
    args = parser.parse_args()
    if not Path(args.sqlite).exists():
        raise SystemExit(f"no such file: {args.sqlite}")
    started = time.perf_counter()
    # The journal's signing key and the stored files: the PostgreSQL benchmark databases share one
    # var directory (``generate.database_env``), which then holds the source's.
    source_var = Path(args.sqlite).with_suffix(".var")
    target_var = Path(gen.database_env(pg=args.pg)["SHOULIAN_VAR_DIR"])
    if source_var.is_dir():
        shutil.copytree(
            source_var, target_var, dirs_exist_ok=True, ignore=shutil.ignore_patterns("huey*")
        )
        print(f"copied {source_var} into {target_var} (signing key, media)")
    gen.prepare_database(sqlite=None, pg=args.pg, fresh=True)

    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection, transaction

    source = sqlite3.connect(f"file:{args.sqlite}?mode=ro", uri=True)
    source_tables = {
        r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    rows_total = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        tables = [
            t for t in connection.introspection.table_names(cursor) if t != "django_migrations"
        ]
        cursor.execute(
            "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        )
        for table in tables:
            if table not in source_tables:
                continue
            cursor.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped "
                "AND attgenerated = '' ORDER BY attnum",
                [f'"{table}"'],
            )
            pg_cols = cursor.fetchall()
            have = {r[1] for r in source.execute(f'PRAGMA table_xinfo("{table}")')}
            cols = [(name, kind) for name, kind in pg_cols if name in have]
            if not cols:
                continue
            intervals = [i for i, (_n, kind) in enumerate(cols) if kind == "interval"]
            names = ", ".join(f'"{n}"' for n, _k in cols)
            n = 0
            with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in source.execute(f'SELECT {names} FROM "{table}"'):  # noqa: S608
                    if intervals:
                        row = list(row)
                        for i in intervals:
                            if row[i] is not None:
                                row[i] = f"{row[i]} microseconds"
                    copy.write_row(row)
                    n += 1
            rows_total += n
        models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed]
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"copied {rows_total:,} rows from {args.sqlite} into {args.pg} in "
        f"{time.perf_counter() - started:.0f} s; load {os.getloadavg()[0]:.1f}"
    )


if __name__ == "__main__":
    main()
