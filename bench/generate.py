"""The shared data generator of the scale benchmarks (issues 11 and 14): N alerts over a bureau
tree of M units, with everything that hangs off an alert, straight into the database.

How: a *template* is built through the product's own services (the demo seeders: every row,
every journal event and every encrypted field written exactly as the application writes them),
then the template's alert-owned rows are cloned, copy after copy, by set-based
``INSERT … SELECT`` inside the database (no row passes through Python), and the journal events of
the cloned objects are rewritten (object id, time) and loaded with COPY (PostgreSQL) or batched
inserts (SQLite), then sealed in the same transaction by the sealer's bulk entry point
(``audit.sealer.seal_loaded``: the project's own leaf hashes, Merkle nodes and signed checkpoint,
one checkpoint per chunk). During the load the plain indexes of the journal and of the cloned
tables and the journal's insert guard are dropped and rebuilt at the end (``finish``), and SQLite
runs with a rollback journal, no fsync and a big page cache (this connection only).

What a copy changes, per alert-owned table (found from the foreign keys, so a table added later
is cloned too):
- primary keys and every foreign key to an alert-owned table: ``+ k × stride`` of the target;
- generic references (``object_type``/``object_id``, ``subject_type``/``subject_id``) to an
  alert-owned model, and journal event ids (``intake_event_id``, ``event_id``): the same shift;
- every date and time: moved back by the copy's offset, a whole number of days, so the N alerts
  spread over ``history_days`` (relative order and time of day inside an alert kept, so a date
  derived from a time, e.g. the dashboard fact's day, stays the shifted date);
- station foreign keys: spread over the cloned stations (the bureau tree of M units);
- unique keys (alert number, query code, SMS key and message id, document number and sequence,
  evidence file names, idempotency keys): a per-copy suffix or offset, so every unique key holds.
Encrypted fields and blind indexes are copied as they are (the key ring authenticates the key id
and the field kind, not the row, so a copied ciphertext opens). The body of a cloned journal event
keeps the template's ``data`` (e.g. the alert number it mentions); its object id and time are the
copy's, and ``Alert.intake_event_sha256`` is recomputed from the cloned intake event.

Which alerts: a *closed* copy holds every closed template alert and is moved back anywhere in the
history; an *open* copy holds every open template alert and is moved back at most ``open_days``
(open alerts are recent); there are just enough open copies that about ``open_share`` (5 %) of
all alerts are open at the end. Reporters' phones and ID numbers are drawn per copy from a pool
(``pool_size``) encrypted and indexed through the key ring, so they repeat at a plausible rate
instead of once per copy.

Deterministic for a seed: same template plan, same copies, offsets and choices. Not byte for byte:
the template's times are relative to the moment of the build, and encryption nonces are random.

As a library::

    from bench.generate import generate
    report = generate(n_alerts=200_000, n_units=200, seed=1)

As a command (own database; never the development one)::

    .venv/bin/python bench/generate.py --alerts 200000 --units 200 --sqlite bench/var/g.sqlite3
    .venv/bin/python bench/generate.py --alerts 1000000 --pg shoulian_bench_1m
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import random
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VAR = ROOT / "bench" / "var"
PG_BASE = "postgres://postgres@127.0.0.1:5432/"
# Cloned stations get ids far above any the application hands out before the build.
UNIT_STRIDE = 1_000_000
DAY = 86_400


def setup_django(env: dict[str, str]) -> None:
    """Point Django at the benchmark's database (call before anything imports models)."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SHOULIAN_SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("SHOULIAN_DEMO_MODE", "1")
    os.environ.setdefault("SHOULIAN_LOG_LEVEL", "WARNING")
    import django

    django.setup()


def database_env(*, sqlite: str | None = None, pg: str | None = None) -> dict[str, str]:
    """Settings for a benchmark database: a SQLite file (under bench/var) or a PostgreSQL
    database name (shoulian_bench*)."""
    if pg:
        if not pg.startswith("shoulian_bench"):
            raise SystemExit("benchmark PostgreSQL databases are named shoulian_bench*")
        base = os.environ.get("BENCH_DATABASE_URL", PG_BASE)
        var = VAR / "pg.var"  # the journal's signing key of the benchmark databases
        var.mkdir(parents=True, exist_ok=True)
        return {"DATABASE_URL": base.rstrip("/") + "/" + pg, "SHOULIAN_VAR_DIR": str(var)}
    path = Path(sqlite or VAR / "bench.sqlite3").resolve()
    if ROOT.resolve() == Path("/work/main") or "/work/main/" in str(path):
        raise SystemExit("generated databases never go into /work/main")
    path.parent.mkdir(parents=True, exist_ok=True)
    var = path.parent / (path.stem + ".var")
    var.mkdir(exist_ok=True)
    return {"SHOULIAN_SQLITE_PATH": str(path), "SHOULIAN_VAR_DIR": str(var)}


# --- What belongs to an alert ---------------------------------------------------------------------


@dataclasses.dataclass
class Owned:
    """A table whose rows belong to one alert, and how a copy rewrites each column."""

    model: Any
    table: str
    pk: str
    stride: int = 1
    # template pk → owning template alert id
    owner: dict[int, int] = dataclasses.field(default_factory=dict)


GENERIC_REFS = (("object_type", "object_id"), ("subject_type", "subject_id"))
# Journal event ids kept in ordinary integer columns.
EVENT_ID_COLUMNS = ("intake_event_id", "event_id")


def owned_models() -> list[Any]:
    """Every model whose rows hang off an alert, directly or through another such model (foreign
    keys), or through a generic (object_type, object_id) reference (deadlines). The journal is
    handled apart."""
    from django.apps import apps

    from shoulian.deadlines.models import Deadline
    from shoulian.intake.models import Alert

    owned: list[Any] = [Alert, Deadline]
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            if model in owned or model._meta.app_label == "audit":
                continue
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model in owned:
                    owned.append(model)
                    changed = True
                    break
    return owned


def type_names(owned: Iterable[Any]) -> dict[str, Any]:
    """Object type strings (journal, deadlines, findings, SMS subjects) → model."""
    from shoulian.feedback.models import FollowUp
    from shoulian.review.models import AvReview

    names = {m._meta.model_name: m for m in owned}
    names["follow_up"] = FollowUp
    if AvReview in names.values():
        # Review's AV-rule findings name their AV review as subject "av_review".
        names["av_review"] = AvReview
    return names


def _find_owners(owned: list[Any], open_ids: set[int]) -> dict[Any, Owned]:
    """For every template row of every owned table, the alert it belongs to (None: not an
    alert's, e.g. a complaint without alert or a one-time code SMS; such rows are not cloned)."""
    from django.db.models import Max

    from shoulian.intake.models import Alert

    info: dict[Any, Owned] = {}
    for m in owned:
        top = m.objects.aggregate(top=Max("pk"))["top"] or 0
        info[m] = Owned(model=m, table=m._meta.db_table, pk=m._meta.pk.column, stride=top + 1)
    info[Alert].owner = {pk: pk for pk in Alert.objects.values_list("pk", flat=True)}
    names = type_names(owned)
    # Resolve in rounds: a row's owner is its first resolved parent's owner.
    for _ in range(6):
        for m in owned:
            if m is Alert:
                continue
            fks = [f for f in m._meta.concrete_fields if f.is_relation and f.related_model in info]
            cols = [f.attname for f in fks]
            generic = [
                (t, i)
                for t, i in GENERIC_REFS
                if {t, i} <= {f.attname for f in m._meta.concrete_fields}
            ]
            values = [*cols, *[c for pair in generic for c in pair]]
            for row in m.objects.values_list("pk", *values).iterator():
                pk, rest = row[0], row[1:]
                if pk in info[m].owner:
                    continue
                owner = None
                for f, v in zip(fks, rest[: len(fks)], strict=True):
                    if v is not None and v in info[f.related_model].owner:
                        owner = info[f.related_model].owner[v]
                        break
                if owner is None:
                    for n, (_t, _i) in enumerate(generic):
                        t, i = rest[len(fks) + 2 * n], rest[len(fks) + 2 * n + 1]
                        target = names.get(t)
                        if target in info and str(i).isdigit():
                            owner = info[target].owner.get(int(i))
                            if owner is not None:
                                break
                if owner is not None:
                    info[m].owner[pk] = owner
    return info


# --- SQL of one copy ------------------------------------------------------------------------------


def _column_sql(
    f: Any, m: Any, info: dict[Any, Owned], stations: dict[int, int], event_stride: int, pg: bool
) -> str:
    """The SELECT expression that makes copy ``c`` of column ``f`` of row ``t``."""
    from django.db import models

    from shoulian.org.models import Unit

    col = f't."{f.column}"'
    own = info[m]
    if f.primary_key:
        return f"{col} + c.k * {own.stride}"
    if f.is_relation and f.related_model in info:
        return f"{col} + c.k * {info[f.related_model].stride}"
    if f.is_relation and f.related_model is Unit and stations:
        whens = " ".join(
            f"WHEN {sid} THEN {sid} + (c.k %% {reps}) * {UNIT_STRIDE}"
            for sid, reps in stations.items()
        )
        return f"CASE {col} {whens} ELSE {col} END"
    pooled = _pooled_fields(m)
    if f.attname in pooled:
        enc, kind, what = pooled[f.attname]
        pick = f'(t."{own.pk}" * 7919 + c.k * 104729) %% (SELECT n FROM bench_pool_size)'
        value = f"(SELECT {what} FROM bench_pool WHERE kind = '{kind}' AND n = {pick})"
        return f'CASE WHEN t."{enc}" IS NULL OR t."{enc}" = \'\' THEN {col} ELSE {value} END'
    names = {f2.attname for f2 in m._meta.concrete_fields}
    for tcol, icol in GENERIC_REFS:
        if f.attname == icol and tcol in names:
            big = "BIGINT"
            whens = " ".join(
                f"WHEN '{name}' THEN CAST(CAST({col} AS {big}) + c.k * {info[target].stride} AS TEXT)"
                for name, target in type_names(info).items()
                if target in info
            )
            return f'CASE t."{tcol}" {whens} ELSE {col} END'
    if f.attname in EVENT_ID_COLUMNS and isinstance(f, models.BigIntegerField):
        return f"{col} + c.k * {event_stride}"
    if isinstance(f, models.DateTimeField):
        if pg:
            return f"{col} - c.shift_s * INTERVAL '1 second'"
        return (
            f"datetime(substr({col}, 1, 19), '-' || c.shift_s || ' seconds') || substr({col}, 20)"
        )
    if isinstance(f, models.DateField):
        if pg:
            return f"{col} - c.shift_d"
        return f"date({col}, '-' || c.shift_d || ' days')"
    return col


POOLED_KINDS = ("phone", "id_number")


def _pooled_fields(m: Any) -> dict[str, tuple[str, str, str]]:
    """Searchable encrypted fields (phones, ID numbers) with their blind index: a copy takes a
    value from the pool instead of the template's, so reporters differ between copies (and repeat
    at a realistic rate) while ciphertext and index stay a matching pair. column → (encrypted
    column, kind, pool column)."""
    from shoulian.privacy.fields import BlindIndexField, EncryptedField

    out: dict[str, tuple[str, str, str]] = {}
    for f in m._meta.concrete_fields:
        if isinstance(f, BlindIndexField):
            source = m._meta.get_field(f.source)
            if isinstance(source, EncryptedField) and source.kind.value in POOLED_KINDS:
                out[source.attname] = (str(source.column), source.kind.value, "cipher")
                out[f.attname] = (str(source.column), source.kind.value, "idx")
    return out


def _id_number(rng: random.Random) -> str:
    """An 18-digit resident ID with a valid check digit (GB 11643)."""
    birth = f"{rng.randint(1950, 2008)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = f"{rng.choice(['350427', '350402', '350403', '350481'])}{birth}{rng.randrange(1000):03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def make_pool(size: int, seed: int) -> None:
    """``size`` phones and ID numbers, encrypted and indexed through the key ring as the fields
    do (crypto.encrypt, crypto.index_for), for the copies' reporters."""
    from django.db import connection

    from shoulian.privacy.crypto import encrypt, index_for

    rng = random.Random(seed * 31 + 7)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_pool")
        cursor.execute("DROP TABLE IF EXISTS bench_pool_size")
        cursor.execute(
            "CREATE TABLE bench_pool (kind VARCHAR(12), n INTEGER, cipher TEXT, idx TEXT, "
            "PRIMARY KEY (kind, n))"
        )
        cursor.execute("CREATE TABLE bench_pool_size (n INTEGER)")
        cursor.execute("INSERT INTO bench_pool_size VALUES (%s)", [size])
        for kind in POOLED_KINDS:
            rows = []
            for n in range(size):
                if kind == "phone":
                    clear = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
                else:
                    clear = _id_number(rng)
                rows.append((kind, n, encrypt(clear, kind=kind), index_for(clear, kind)))
                if len(rows) == 10_000:
                    cursor.executemany("INSERT INTO bench_pool VALUES (%s, %s, %s, %s)", rows)
                    rows = []
            cursor.executemany("INSERT INTO bench_pool VALUES (%s, %s, %s, %s)", rows)


def _unique_perturb(m: Any, info: dict[Any, Owned]) -> dict[str, str]:
    """Columns that must change per copy so the table's unique keys hold: name → kind."""
    from django.db import models

    fields = {f.name: f for f in m._meta.concrete_fields}
    sets: list[list[Any]] = [[f] for f in fields.values() if f.unique and not f.primary_key]
    for c in m._meta.constraints:
        if isinstance(c, models.UniqueConstraint) and c.fields:
            sets.append([fields[n] for n in c.fields])
    out: dict[str, str] = {}
    for group in sets:
        safe = any(
            (f.is_relation and f.related_model in info) or f.attname in ("object_id", "subject_id")
            for f in group
        )
        if safe:
            continue
        pick = None
        for kind, cls in (
            ("char", models.CharField),
            ("uuid", models.UUIDField),
            ("int", models.IntegerField),
        ):
            for f in reversed(group):
                if isinstance(f, cls) and not f.is_relation:
                    pick = (str(f.column), kind)
                    break
            if pick:
                break
        if pick is None:
            raise RuntimeError(f"cannot keep unique key {[f.name for f in group]} of {m}")
        out[pick[0]] = pick[1]
    return out


def copy_sql(
    m: Any, info: dict[Any, Owned], stations: dict[int, int], event_stride: int, pg: bool
) -> str:
    """``INSERT INTO table (…) SELECT <copy of each column> FROM table t, bench_copy c`` with two
    placeholders left: the copy range and the template pks (filled per statement)."""
    from django.db import models

    perturb = _unique_perturb(m, info)
    cols, exprs = [], []
    for f in m._meta.concrete_fields:
        if getattr(f, "generated", False):
            continue
        expr = _column_sql(f, m, info, stations, event_stride, pg)
        kind = perturb.get(f.column or "")
        if kind == "char":
            width = f.max_length or 255
            expr = (
                f'CASE WHEN t."{f.column}" = \'\' THEN t."{f.column}" ELSE '
                f'substr(t."{f.column}", 1, {width} - length(c.sfx)) || c.sfx END'
            )
        elif kind == "uuid":
            if pg:
                expr = (
                    f"CAST(lpad(to_hex(c.k), 8, '0') || "
                    f"substr(replace(CAST(t.\"{f.column}\" AS TEXT), '-', ''), 9) AS UUID)"
                )
            else:
                expr = f"printf('%08x', c.k) || substr(t.\"{f.column}\", 9)"
        elif kind == "int":
            top = m.objects.aggregate(top=models.Max(f.name))["top"] or 0
            expr = f't."{f.column}" + c.k * {top + 1}'
        cols.append(f'"{f.column}"')
        exprs.append(expr)
    table = info[m].table
    # Names from the models, no input.
    sql = f'INSERT INTO "{table}" ({", ".join(cols)}) SELECT {", ".join(exprs)} '  # noqa: S608
    sql += f'FROM "{table}" t, bench_copy c WHERE c.k BETWEEN %s AND %s AND '
    return sql + f't."{info[m].pk}" IN ({{pks}})'


# --- The journal ----------------------------------------------------------------------------------


@dataclasses.dataclass
class EventTemplate:
    event_id: int
    owner: int  # template alert
    head: str  # body up to the object id's value
    middle: str  # between the object id and occurred_us values
    tail: str  # after occurred_us's value
    object_id: int
    object_stride: int
    occurred_us: int
    intake_of: int | None  # the alert whose intake event this is


def _split_body(body: str) -> tuple[str, str, str, int, str]:
    """A canonical body cut around its top-level object_id and occurred_us values (they follow
    ``data`` in the sorted key order, so the last occurrence is the top-level one)."""
    i = body.rindex('"object_id":"') + len('"object_id":"')
    j = body.index('"', i)
    k = body.rindex('"occurred_us":') + len('"occurred_us":')
    m = body.index(",", k)
    return body[:i], body[j:k], body[m:], int(body[k:m]), body[i:j]


def journal_templates(info: dict[Any, Owned]) -> list[EventTemplate]:
    from shoulian.audit.models import AuditEvent
    from shoulian.intake.models import Alert

    names = {n: m for n, m in type_names(info).items() if m in info}
    intake = dict(Alert.objects.exclude(intake_event_id=None).values_list("intake_event_id", "pk"))
    out = []
    qs = AuditEvent.objects.filter(object_type__in=list(names)).order_by("id")
    for event_id, otype, oid, body in qs.values_list("id", "object_type", "object_id", "body"):
        model = names[otype]
        if not str(oid).isdigit() or int(oid) not in info[model].owner:
            continue
        head, middle, tail, occurred, oid_text = _split_body(body)
        assert oid_text == str(oid), (event_id, oid_text, oid)
        out.append(
            EventTemplate(
                event_id=event_id,
                owner=info[model].owner[int(oid)],
                head=head,
                middle=middle,
                tail=tail,
                object_id=int(oid),
                object_stride=info[model].stride,
                occurred_us=occurred,
                intake_of=intake.get(event_id),
            )
        )
    return out


# --- The generator --------------------------------------------------------------------------------


@dataclasses.dataclass
class Report:
    engine: str
    alerts: int
    open_alerts: int
    units: int
    events: int
    template_alerts: int
    copies: int
    seconds_template: float
    seconds_clone: float
    seconds_journal: float
    seconds_seal: float
    seconds_finish: float
    seconds_total: float
    rows: dict[str, int]

    def lines(self) -> list[str]:
        rate = self.alerts / self.seconds_total if self.seconds_total else 0
        return [
            f"engine {self.engine}: {self.alerts:,} alerts ({self.open_alerts:,} open, "
            f"{self.open_alerts / max(self.alerts, 1):.1%}), {self.units} units, "
            f"{self.events:,} journal events ({self.events / max(self.alerts, 1):.1f} per alert)",
            f"  template {self.template_alerts} alerts × {self.copies} copies; "
            f"build {self.seconds_total:.0f} s = template {self.seconds_template:.0f} s + "
            f"clone {self.seconds_clone:.0f} s + journal {self.seconds_journal:.0f} s + "
            f"seal {self.seconds_seal:.0f} s + indexes and ANALYZE {self.seconds_finish:.0f} s "
            f"({rate:,.0f} alerts/s)",
            "  rows: " + ", ".join(f"{k} {v:,}" for k, v in sorted(self.rows.items()) if v),
        ]


def seed_template(seed: int, plan: dict[str, int] | None = None) -> None:
    """The demo bureau through the product's services: the template every copy is made from."""
    from django.utils.module_loading import autodiscover_modules

    from shoulian.audit.catalogue import EventType
    from shoulian.audit.journal import record
    from shoulian.core import context
    from shoulian.core.demo import seeders
    from shoulian.intake import demo as intake_demo

    autodiscover_modules("demo")
    saved = intake_demo.PLAN
    if plan is not None:
        intake_demo.PLAN = plan
    try:
        rng = random.Random(seed)
        with context.acting(channel="command"):
            summaries = [f"{s.name}: {s.func(rng=rng)}" for s in seeders()]
            record(EventType.DEMO_SEEDED, data={"summaries": summaries})
    finally:
        intake_demo.PLAN = saved


def _add_stations(n_units: int) -> dict[int, int]:
    """Clone the template's stations until the tree has ``n_units`` units: station id → number
    of replicas (itself included). Clones sit under the same parent, with their own code, name
    and path; alerts are spread over them."""
    from django.db import connection

    from shoulian.org.choices import UnitKind
    from shoulian.org.models import Unit

    stations = list(Unit.objects.filter(kind=UnitKind.STATION).order_by("pk"))
    reps = {s.pk: 1 for s in stations}
    extra = n_units - Unit.objects.count()
    if extra <= 0 or not stations:
        return {}
    fields = [
        f
        for f in Unit._meta.concrete_fields
        if f.attname not in ("id", "code", "name", "path") and not getattr(f, "generated", False)
    ]
    rows = []
    for n in range(extra):
        s = stations[n % len(stations)]
        j = reps[s.pk]
        reps[s.pk] += 1
        new_id = s.pk + j * UNIT_STRIDE
        code = (s.code[: 12 - 4] + f"{j:04d}")[:12]
        parent_path = s.path[: s.path.rstrip("/").rfind("/") + 1]
        rows.append(
            [
                new_id,
                code,
                f"{s.name}（{j}）"[:60],
                f"{parent_path}{new_id}/",
                *[getattr(s, f.attname) for f in fields],
            ]
        )
    cols = ", ".join(['"id"', '"code"', '"name"', '"path"', *[f'"{f.column}"' for f in fields]])
    marks = ", ".join(["%s"] * (4 + len(fields)))
    with connection.cursor() as cursor:
        sql = f'INSERT INTO "{Unit._meta.db_table}" ({cols}) VALUES ({marks})'  # noqa: S608
        cursor.executemany(sql, rows)
    return {sid: r for sid, r in reps.items() if r > 1}


def _b36(k: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        k, r = divmod(k, 36)
        out = digits[r] + out
        if not k:
            return out


def generate(
    n_alerts: int,
    n_units: int | None = None,
    seed: int = 20220305,
    *,
    open_share: float = 0.05,
    history_days: int = 3 * 365,
    open_days: int = 30,
    pool_size: int = 100_000,
    plan: dict[str, int] | None = None,
    chunk_alerts: int = 20_000,
    max_seconds: float = 0,
    derive_facts: bool = False,
    log: Callable[[str], None] = print,
) -> Report:
    """Fill the current (migrated) database with ``n_alerts`` alerts over ``n_units`` units.

    The alerts already there (the demo bureau, seeded now through the services if the database
    has none) are the template; the rest are copies of them. Commits per chunk of copies and seals
    the journal after each chunk, so memory stays constant and an interrupted build is still a
    consistent, sealed database (``finish`` completes one). With ``max_seconds`` it stops after
    the chunk that ends past that budget: fewer alerts, each copy whole, the recent part of the
    history (copies are spread from now backwards)."""
    from django.db import connection, transaction
    from django.db.models import Max

    from shoulian.audit import sealer, signing
    from shoulian.audit.models import AuditEvent
    from shoulian.intake.models import Alert
    from shoulian.org.models import Unit
    from shoulian.workflow.choices import OPEN_STATUSES

    started = time.perf_counter()
    pg = connection.vendor == "postgresql"
    if not signing.trusted_keys():
        signing.generate_key()
    if not Alert.objects.exists():
        seed_template(seed, plan)  # the services commit as they go (some need durable blocks)
        sealer.seal_all()
    t_template = time.perf_counter() - started

    owned = owned_models()
    statuses = dict(Alert.objects.values_list("pk", "status"))
    open_ids = {pk for pk, s in statuses.items() if s in OPEN_STATUSES}
    closed_ids = sorted(set(statuses) - open_ids)
    n_template = len(statuses)
    if n_alerts < n_template:
        raise ValueError(f"n_alerts {n_alerts} < template {n_template}")
    info = _find_owners(owned, open_ids)
    event_stride = (AuditEvent.objects.aggregate(top=Max("id"))["top"] or 0) + 1
    with transaction.atomic():
        stations = _add_stations(n_units) if n_units else {}
    events = journal_templates(info)
    key = signing.load_signing_key()

    # Copies of two kinds: closed ones (every closed template alert, moved back anywhere in the
    # history) and open ones (every open template alert, moved back at most ``open_days``: open
    # alerts are recent). Open alerts already in the template count toward the share.
    rng = random.Random(seed)
    remaining = n_alerts - n_template
    want_open = max(0, min(remaining, round(n_alerts * open_share) - len(open_ids)))
    open_copies = want_open // len(open_ids) if open_ids else 0
    closed_total = remaining - open_copies * len(open_ids)
    if closed_total and not closed_ids:
        raise ValueError("the template has no closed alert to copy")
    closed_copies = -(-closed_total // len(closed_ids)) if closed_total else 0
    kinds = [False] * closed_copies + [True] * open_copies
    rng.shuffle(kinds)
    plans: list[tuple[int, bool, int]] = []  # (k, open copy, how many closed alerts)
    left = closed_total
    for k, is_open in enumerate(kinds, 1):
        n_closed = 0 if is_open else min(len(closed_ids), left)
        left -= n_closed
        plans.append((k, is_open, n_closed))
    copies = len(plans)
    history_s = history_days * DAY
    log(
        f"template {n_template} alerts ({len(open_ids)} open), {len(events)} journal events of "
        f"theirs; {closed_copies} closed and {open_copies} open copies; "
        f"{len(stations)} stations cloned"
    )

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(
            "CREATE TABLE bench_copy (k INTEGER PRIMARY KEY, shift_s BIGINT, shift_d INTEGER, "
            "sfx VARCHAR(12))"
        )
        rows = []
        j = 0
        for k, is_open, _n in plans:
            if is_open:
                shift = rng.randrange(0, open_days) * DAY
            else:
                j += 1
                shift = int(history_s * j / max(closed_copies, 1)) // DAY * DAY
            rows.append((k, shift, shift // DAY, "-" + _b36(k)))
        cursor.executemany("INSERT INTO bench_copy VALUES (%s, %s, %s, %s)", rows)
    shift_of = {r[0]: r[1] for r in rows}

    t_pool = time.perf_counter()
    make_pool(max(100, min(n_alerts, pool_size)), seed)
    log(
        f"pool of {min(n_alerts, pool_size):,} phones and ID numbers: {time.perf_counter() - t_pool:.0f} s"
    )
    statements = {m: copy_sql(m, info, stations, event_stride, pg) for m in owned}
    # Parents before children: a model after every owned model it points to.
    order: list[Any] = []
    pending = list(owned)
    while pending:
        for m in list(pending):
            deps = {
                f.related_model
                for f in m._meta.concrete_fields
                if f.is_relation and f.related_model in info and f.related_model is not m
            }
            if deps <= set(order):
                order.append(m)
                pending.remove(m)

    def pks_for(m: Any, owners: set[int]) -> str:
        ids = [pk for pk, owner in info[m].owner.items() if owner in owners]
        return ",".join(map(str, ids)) if ids else "NULL"

    # Load mode: whatever the template left unsealed is sealed first (each chunk seals exactly
    # its own events); the secondary indexes of the journal and of the cloned tables and the
    # journal's insert guard are dropped for the load and rebuilt by ``finish`` (a sorted build
    # instead of millions of random inserts); SQLite skips fsync and keeps a big page cache for
    # this connection (a crash of the machine mid-build loses the build, not anybody's data).
    sealer.seal_all(key=key)
    # (Not inside a caller's transaction, e.g. a test's: SQLite refuses these there.)
    pragmas = not pg and not connection.in_atomic_block
    if pragmas:
        with connection.cursor() as cursor:
            # A rollback journal instead of the WAL: the load appends new pages, which a
            # rollback journal does not copy, where the WAL writes every page twice.
            cursor.execute("PRAGMA journal_mode=TRUNCATE")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")
    with transaction.atomic():
        _drop_for_load([info[m].table for m in owned], pg)
    t_clone = t_journal = t_seal = 0.0
    # Group consecutive copies of the same kind into one statement per table.
    groups: list[tuple[int, int, bool, int]] = []
    for k, w, n in plans:
        if groups and groups[-1][2] == w and groups[-1][3] == n and groups[-1][1] == k - 1:
            lo, _hi, _w, _n = groups[-1]
            groups[-1] = (lo, k, w, n)
        else:
            groups.append((k, k, w, n))
    # Cut groups into chunks of about chunk_alerts alerts (one transaction + seal each).
    chunks: list[list[tuple[int, int, bool, int]]] = [[]]
    size = 0
    for lo, hi, w, n in groups:
        per = n + (len(open_ids) if w else 0)
        step = max(1, chunk_alerts // max(per, 1))
        for a in range(lo, hi + 1, step):
            b = min(hi, a + step - 1)
            if size >= chunk_alerts:
                chunks.append([])
                size = 0
            chunks[-1].append((a, b, w, n))
            size += per * (b - a + 1)
    pk_cache: dict[tuple[Any, bool, int], str] = {}
    done_alerts = n_template
    for chunk in chunks:
        if max_seconds and time.perf_counter() - started > max_seconds:
            log(f"  stopped: the {max_seconds:,.0f} s budget is spent ({done_alerts:,} alerts)")
            break
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for lo, hi, w, n in chunk:
                owners = set(closed_ids[:n]) | (open_ids if w else set())
                for m in order:
                    ck = (m, w, n)
                    if ck not in pk_cache:
                        pk_cache[ck] = pks_for(m, owners)
                    if pk_cache[ck] == "NULL":
                        continue
                    sql = statements[m].replace("{pks}", pk_cache[ck])
                    cursor.execute(sql, [lo, hi])
            t1 = time.perf_counter()
            # The journal of the cloned objects: ids = template id + k × stride (monotonic).
            bodies: list[tuple[int, str]] = []
            intake_sha: list[tuple[int, str]] = []
            for lo, hi, w, n in chunk:
                owners = set(closed_ids[:n]) | (open_ids if w else set())
                mine = [e for e in events if e.owner in owners]
                for k in range(lo, hi + 1):
                    shift_us = shift_of[k] * 1_000_000
                    for e in mine:
                        body = (
                            f"{e.head}{e.object_id + k * e.object_stride}{e.middle}"
                            f"{e.occurred_us - shift_us}{e.tail}"
                        )
                        bodies.append((e.event_id + k * event_stride, body))
                        if e.intake_of is not None:
                            sha = hashlib.sha256(body.encode("ascii")).hexdigest()
                            intake_sha.append((e.intake_of + k * info[Alert].stride, sha))
            _write_events(cursor, bodies, pg)
            _set_intake_sha(cursor, intake_sha)
            t2 = time.perf_counter()
            # Sealed in the chunk's own transaction: every commit leaves a sealed journal.
            result = sealer.seal_loaded(bodies, key=key)
            del bodies
        t3 = time.perf_counter()
        t_clone += t1 - t0
        t_journal += t2 - t1
        t_seal += t3 - t2
        done_alerts += sum((b - a + 1) * (n + (len(open_ids) if w else 0)) for a, b, w, n in chunk)
        log(
            f"  {done_alerts:,} alerts, {result.tree_size:,} leaves; clone {t_clone:.0f} s, "
            f"journal {t_journal:.0f} s, seal {t_seal:.0f} s"
        )

    t4 = time.perf_counter()
    finish(seal=False)
    if derive_facts:
        # The supervision platform's facts and counters as its nightly re-derivation computes
        # them (a copy's counters are not cloned, and a finding's month is not a shifted date).
        from shoulian.core import context
        from shoulian.dashboard.services import rollups_rederive

        with context.acting(channel="command"):
            drift = rollups_rederive(repair=True)
        sealer.seal_all(key=key)
        log(
            f"  dashboard facts re-derived: {drift.facts:,} alert facts, {drift.finding_facts:,} "
            f"finding facts and {drift.daily + drift.node + drift.satisfaction + drift.findings:,} "
            "counter rows corrected"
        )
    t_finish = time.perf_counter() - t4
    if pragmas:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA cache_size=-2000")
    counts = {m._meta.label: m.objects.count() for m in owned}
    counts["audit.AuditEvent"] = AuditEvent.objects.count()
    total = time.perf_counter() - started
    return Report(
        engine=connection.vendor,
        alerts=counts["intake.Alert"],
        open_alerts=Alert.objects.filter(status__in=OPEN_STATUSES).count(),
        units=Unit.objects.count(),
        events=counts["audit.AuditEvent"],
        template_alerts=n_template,
        copies=copies,
        seconds_template=t_template,
        seconds_clone=t_clone,
        seconds_journal=t_journal,
        seconds_seal=t_seal,
        seconds_finish=t_finish,
        seconds_total=total,
        rows=counts,
    )


def finish(*, seal: bool = True) -> None:
    """What ends a build, also one that was interrupted between or inside its chunks: seal what
    is unsealed, drop the generator's work tables, reset PostgreSQL's sequences, ANALYZE."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    from shoulian.audit import sealer

    if seal:
        sealer.seal_all()
    _restore_dropped()
    with connection.cursor() as cursor:
        for table in ("bench_copy", "bench_pool", "bench_pool_size"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        if connection.vendor == "postgresql":
            models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed]
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
        if connection.vendor == "sqlite":
            # Statistics from a sample of each index: a full ANALYZE reads the whole database.
            cursor.execute("PRAGMA analysis_limit=2000")
        cursor.execute("ANALYZE")


def _write_events(cursor: Any, rows: list[tuple[int, str]], pg: bool) -> None:
    if not rows:
        return
    if pg:
        raw = cursor.cursor  # psycopg 3
        with raw.copy('COPY "audit_auditevent" ("id", "body") FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    else:
        for start in range(0, len(rows), 50_000):
            cursor.executemany(
                'INSERT INTO "audit_auditevent" ("id", "body") VALUES (%s, %s)',
                rows[start : start + 50_000],
            )


# --- Load mode ------------------------------------------------------------------------------------
# Kept in a work table, so that ``finish`` rebuilds them after an interrupted build too.
DROPPED = "bench_dropped"


def _drop_for_load(tables: list[str], pg: bool) -> None:
    """Drop the plain (non-unique) indexes of the journal and of the cloned tables, and the
    journal's insert guard trigger, recording each one's definition to rebuild it. Unique indexes
    and primary keys stay: they keep every key honest during the load. PostgreSQL keeps the
    journal's (xact, id) index: the sealer's pending query reads it."""
    from django.db import connection

    from shoulian.audit import triggers

    tables = [triggers.EVENT_TABLE, *tables]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {DROPPED} (n INTEGER, kind VARCHAR(8), name TEXT, "
            "tbl TEXT, definition TEXT)"
        )
        marks = ", ".join(["%s"] * len(tables))
        if pg:
            cursor.execute(
                "SELECT i.indexname, i.tablename, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = current_schema() AND i.tablename IN ("
                + marks
                + ") AND i.indexdef NOT LIKE 'CREATE UNIQUE%%' AND i.indexname <> 'audit_xact_idx' "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                tables,
            )
            found = [("index", *row) for row in cursor.fetchall()]
            cursor.execute(
                "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = %s",
                [triggers.INSERT_GUARD],
            )
            found += [("trigger", *row) for row in cursor.fetchall()]
        else:
            cursor.execute(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE ((type = 'index' AND "
                "sql LIKE 'CREATE INDEX%%' AND tbl_name IN (" + marks + ")) "
                "OR (type = 'trigger' AND name = %s))",
                [*tables, triggers.INSERT_GUARD],
            )
            found = list(cursor.fetchall())
        cursor.execute(f"SELECT coalesce(max(n), 0) FROM {DROPPED}")  # noqa: S608
        (n,) = cursor.fetchone()
        for kind, name, table, definition in found:
            n += 1
            cursor.execute(
                f"INSERT INTO {DROPPED} VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                [n, kind, name, table, definition],
            )
            if kind == "index":
                cursor.execute(f'DROP INDEX "{name}"')
            elif pg:
                cursor.execute(f'DROP TRIGGER "{name}" ON "{table}"')
            else:
                cursor.execute(f'DROP TRIGGER "{name}"')


def _restore_dropped() -> None:
    """Rebuild what ``_drop_for_load`` dropped, from the recorded definitions."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        if DROPPED not in connection.introspection.table_names(cursor):
            return
        cursor.execute(f"SELECT definition FROM {DROPPED} ORDER BY n")  # noqa: S608
        definitions = [row[0] for row in cursor.fetchall()]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Inside a caller's transaction (a test's) deferred foreign-key checks may be
            # pending, and PostgreSQL builds no index on a table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for definition in definitions:
            # Straight to the database cursor: the definitions may hold a literal %.
            cursor.cursor.execute(definition)
        cursor.execute(f"DROP TABLE {DROPPED}")


def _set_intake_sha(cursor: Any, rows: list[tuple[int, str]]) -> None:
    """The receipt prints the SHA-256 of the registration event: the clone's, not the template's."""
    if not rows:
        return
    cursor.execute(
        "CREATE TEMPORARY TABLE IF NOT EXISTS bench_sha (id BIGINT PRIMARY KEY, sha TEXT)"
    )
    cursor.execute("DELETE FROM bench_sha")
    cursor.executemany("INSERT INTO bench_sha VALUES (%s, %s)", rows)
    cursor.execute(
        'UPDATE "intake_alert" SET "intake_event_sha256" = bench_sha.sha FROM bench_sha '
        'WHERE "intake_alert"."id" = bench_sha.id'
    )


# --- Command --------------------------------------------------------------------------------------


def prepare_database(*, sqlite: str | None, pg: str | None, fresh: bool) -> None:
    """Create (or recreate) the benchmark database and migrate it; Django is set up after."""
    if pg:
        import psycopg

        if not pg.startswith("shoulian_bench"):
            # It may drop the database: never one that is not a benchmark's own.
            raise SystemExit(
                f"refusing database {pg!r}: benchmark databases are named shoulian_bench*"
            )
        base = os.environ.get("BENCH_DATABASE_URL", PG_BASE)
        with psycopg.connect(base.rstrip("/") + "/postgres", autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [pg]).fetchone()
            if exists and fresh:
                conn.execute(f'DROP DATABASE "{pg}" WITH (FORCE)')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{pg}"')
    elif sqlite and fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(sqlite + suffix).unlink(missing_ok=True)
    setup_django(database_env(sqlite=sqlite, pg=pg))
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alerts", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=0, help="bureau tree size (0: the demo's)")
    parser.add_argument("--seed", type=int, default=20220305)
    parser.add_argument("--open-share", type=float, default=0.05)
    parser.add_argument("--history-days", type=int, default=3 * 365)
    parser.add_argument("--chunk", type=int, default=20_000, help="alerts per transaction")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--sqlite", help="SQLite file (default bench/var/bench.sqlite3)")
    where.add_argument("--pg", help="PostgreSQL database name (shoulian_bench*)")
    parser.add_argument("--keep", action="store_true", help="add to an existing database")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=0,
        help="stop after the chunk that ends past this budget (a smaller, consistent database)",
    )
    parser.add_argument(
        "--derive-facts",
        action="store_true",
        help="end with the dashboard's re-derivation of its facts and counters (repairing them)",
    )
    parser.add_argument(
        "--finish",
        action="store_true",
        help="only complete an interrupted build (seal, drop work tables, sequences, ANALYZE)",
    )
    args = parser.parse_args()
    sqlite = None if args.pg else (args.sqlite or str(VAR / "bench.sqlite3"))
    prepare_database(sqlite=sqlite, pg=args.pg, fresh=not (args.keep or args.finish))
    if args.finish:
        started = time.perf_counter()
        finish()
        from shoulian.audit.models import AuditEvent
        from shoulian.intake.models import Alert

        print(
            f"finished in {time.perf_counter() - started:.0f} s: {Alert.objects.count():,} alerts, "
            f"{AuditEvent.objects.count():,} journal events"
        )
        return
    print(f"load before: {os.getloadavg()}")
    report = generate(
        args.alerts,
        args.units or None,
        args.seed,
        open_share=args.open_share,
        history_days=args.history_days,
        chunk_alerts=args.chunk,
        max_seconds=args.max_seconds,
        derive_facts=args.derive_facts,
    )
    print("\n".join(report.lines()))
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
