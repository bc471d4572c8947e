"""Shared fixtures: two bureaus and a named persona for every role (STYLE: clerk, officer, leader,
legal, head, inspector, outsider …). All data is created through the services."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from shoulian.accounts.choices import PoliceKind, Role
from shoulian.accounts.middleware import SESSION_EPOCH, SESSION_ROLES
from shoulian.accounts.models import User
from shoulian.accounts.services import user_create
from shoulian.org.choices import UnitKind
from shoulian.org.models import Unit
from shoulian.org.services import area_create, unit_create

PASSWORD = "Correct-Horse-42!"


@dataclass
class Bureau:
    city: Unit
    bureau: Unit
    center: Unit
    legal_brigade: Unit
    criminal: Unit
    discipline: Unit
    station: Unit
    station2: Unit


def make_bureau(prefix: str, name: str, city: Unit | None = None) -> Bureau:
    if city is None:
        city = unit_create(
            actor=None,
            parent=None,
            code=f"{prefix}00",
            name=f"{name}市公安局",
            kind=UnitKind.CITY_BUREAU,
        )
    bureau = unit_create(
        actor=None,
        parent=city,
        code=f"{prefix}27",
        name=f"{name}县公安局",
        kind=UnitKind.BUREAU,
        phone="0598-1234567",
    )

    def child(code: str, title: str, kind: str) -> Unit:
        return unit_create(
            actor=None,
            parent=bureau,
            code=f"{prefix}27{code}",
            name=f"{name}{title}",
            kind=kind,
            phone="0598-7654321",
        )

    b = Bureau(
        city=city,
        bureau=bureau,
        center=child("01", "受立案管理中心", UnitKind.CENTER),
        legal_brigade=child("02", "法制大队", UnitKind.LEGAL_BRIGADE),
        criminal=child("03", "刑侦大队", UnitKind.CRIMINAL_BRIGADE),
        discipline=child("06", "纪检监察室", UnitKind.DISCIPLINE),
        station=child("11", "城关派出所", UnitKind.STATION),
        station2=child("12", "城南派出所", UnitKind.STATION),
    )
    area_create(
        actor=None,
        station=b.station,
        name=f"{name}城关辖区",
        places=[f"{name}城关街道", f"{name}府前路"],
    )
    area_create(actor=None, station=b.station2, name=f"{name}城南辖区", places=[f"{name}城南街道"])
    return b


def make_user(
    username: str, unit: Unit, *roles: str, auxiliary: bool = False, **extra: Any
) -> User:
    return user_create(
        actor=None,
        username=username,
        full_name=extra.pop("full_name", f"测试{username}"),
        unit=unit,
        police_kind=PoliceKind.AUXILIARY if auxiliary else PoliceKind.OFFICER,
        roles=roles,
        password=PASSWORD,
        must_change_password=False,
        **extra,
    )


@pytest.fixture(autouse=True)
def _fresh_memos() -> Iterator[None]:
    """Per-process memos (bureaus, SMS templates) must not carry one test's rows into the next:
    a rolled-back test's primary keys are handed out again."""
    from shoulian.core.memo import clear_all

    clear_all()
    yield
    clear_all()


@pytest.fixture
def bureau_a(db: Any) -> Bureau:
    return make_bureau("3501", "甲")


@pytest.fixture
def bureau_b(db: Any, bureau_a: Bureau) -> Bureau:
    return make_bureau("3502", "乙", city=bureau_a.city)


@pytest.fixture
def clerk(bureau_a: Bureau) -> User:
    return make_user("clerk", bureau_a.center, Role.CLERK)


@pytest.fixture
def auxiliary_clerk(bureau_a: Bureau) -> User:
    return make_user("aux", bureau_a.center, Role.CLERK, auxiliary=True)


@pytest.fixture
def officer(bureau_a: Bureau) -> User:
    return make_user("officer", bureau_a.station, Role.OFFICER)


@pytest.fixture
def officer2(bureau_a: Bureau) -> User:
    """Same bureau, another 派出所."""
    return make_user("officer2", bureau_a.station2, Role.OFFICER)


@pytest.fixture
def leader(bureau_a: Bureau) -> User:
    return make_user("leader", bureau_a.station, Role.LEADER)


@pytest.fixture
def legal_officer(bureau_a: Bureau) -> User:
    return make_user("stationlegal", bureau_a.station, Role.LEGAL_OFFICER)


@pytest.fixture
def legal(bureau_a: Bureau) -> User:
    return make_user("legal", bureau_a.legal_brigade, Role.LEGAL_BRIGADE)


@pytest.fixture
def head(bureau_a: Bureau) -> User:
    return make_user("head", bureau_a.center, Role.CENTER_HEAD)


@pytest.fixture
def bureau_head(bureau_a: Bureau) -> User:
    return make_user("chief", bureau_a.bureau, Role.BUREAU_HEAD)


@pytest.fixture
def inspector(bureau_a: Bureau) -> User:
    return make_user("inspector", bureau_a.discipline, Role.INSPECTOR)


@pytest.fixture
def admin_user(bureau_a: Bureau) -> User:
    return make_user("sysadmin", bureau_a.bureau, Role.ADMIN)


@pytest.fixture
def outsider(bureau_b: Bureau) -> User:
    """An officer of another bureau."""
    return make_user("outsider", bureau_b.station, Role.OFFICER)


@pytest.fixture
def outsider_admin(bureau_b: Bureau) -> User:
    return make_user("outadmin", bureau_b.bureau, Role.ADMIN)


PERSONA_NAMES = (
    "clerk",
    "auxiliary_clerk",
    "officer",
    "leader",
    "legal_officer",
    "legal",
    "head",
    "bureau_head",
    "inspector",
    "admin_user",
    "outsider",
)


@pytest.fixture
def personas(request: pytest.FixtureRequest) -> dict[str, User]:
    return {name: request.getfixturevalue(name) for name in PERSONA_NAMES}


def verified_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def login_as(client: Client, user: User) -> Client:
    """A session that has passed both factors, as after a real login."""
    client.force_login(user, backend="shoulian.accounts.backends.StaffBackend")
    session = client.session
    session["otp_device_id"] = verified_device(user).persistent_id
    fresh = User.objects.get(pk=user.pk)
    session[SESSION_EPOCH] = fresh.session_epoch
    session[SESSION_ROLES] = sorted(fresh.role_set)
    session.save()
    return client


def page_plans(client: Client, url: str) -> list[tuple[str, str]]:
    """(statement, plan) of every SELECT the page at ``url`` sends (a steady request: the first
    one of a session also refreshes it), for the plan tests of whole pages (issue 14)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shoulian.core.paging import explain_sql

    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"{url}: {response.status_code}")
    statements = [q["sql"] for q in ctx.captured_queries]
    selects = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    return [(sql, explain_sql(sql)) for sql in selects]


@pytest.fixture
def client_for() -> Callable[[User], Client]:
    def make(user: User) -> Client:
        return login_as(Client(), user)

    return make


@pytest.fixture
def small_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """``seed_demo`` with 21 alerts instead of 731, for tests of the demo accounts (their logins,
    their home pages), which the volume does not change. The full-size demo is seeded once, by
    org's test of the command itself; at full size it takes minutes."""
    from shoulian.intake import demo
    from shoulian.intake.choices import Channel

    monkeypatch.setattr(
        demo,
        "PLAN",
        {
            "center_walk_in": 6,
            "station_walk_in": 2,
            Channel.KIOSK: 3,
            Channel.DISPATCH_110: 5,
            Channel.PHONE: 1,
            Channel.ONLINE: 1,
            Channel.BROUGHT_IN: 1,
            Channel.ASSIGNED: 1,
            Channel.ADMIN_TRANSFER: 1,
        },
    )


# --- Browser tests ----------------------------------------------------------------------------------
CHROMIUM = os.environ.get("SHOULIAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(
    os.environ.get(
        "SHOULIAN_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"
    )
)


@pytest.fixture
def page(live_server: Any) -> Iterator[Any]:
    """A Playwright page in Debian's Chromium; skips (with the reason) when Chromium is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test body
    # are still synchronous and single-threaded, which is what the async-safety check protects.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.set_default_timeout(15000)
            yield page
            context.close()
            browser.close()
            # ORM calls made while Playwright ran opened a connection in its context; close it
            # here, or PostgreSQL refuses to drop the test database at the end of the run.
            connections.close_all()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


AXE_SOURCE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")


def assert_accessible(page: Any, *, exclude: tuple[str, ...] = ()) -> None:
    """Run axe-core (npm, never a CDN) on the page as it is now, with the WCAG 2.0/2.1 A and AA
    rules; fail with each violated rule and the elements that break it. ``exclude`` takes CSS
    selectors axe should skip (a third-party widget), never a whole page. Call it once per page
    shape a test visits, after the page has settled: ``assert_accessible(page)``."""
    if not AXE_SOURCE.exists():
        pytest.fail(f"axe-core missing at {AXE_SOURCE}: run `make deps` (npm ci)")
    # evaluate() runs through the DevTools protocol, so the page's CSP (no inline scripts) does not
    # block it, and nothing is added to the page that its own scripts could see.
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        """async ([tags, exclude]) => {
            const context = exclude.length ? {exclude: exclude.map((s) => [s])} : document;
            const r = await axe.run(context, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return r.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html, summary: n.failureSummary})),
            }));
        }""",
        [list(AXE_TAGS), list(exclude)],
    )
    if result:
        lines = [f"axe-core: {len(result)} WCAG 2 A/AA rule(s) violated on {page.url}"]
        for violation in result:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:10]:
                lines.append(f"    {node['target']}  {node['html'][:160]}")
                lines.extend(f"      {s}" for s in (node["summary"] or "").splitlines()[:4])
        pytest.fail("\n".join(lines), pytrace=False)


_axe_cache: list[str] = []


def _axe_source() -> str:
    if not _axe_cache:
        _axe_cache.append(AXE_SOURCE.read_text(encoding="utf-8"))
    return _axe_cache[0]


# The focused element, and whether the user can see where the focus is: an outline or a ring.
FOCUS = """async () => {
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    const el = document.activeElement;
    const s = getComputedStyle(el);
    // A date field's calendar button has the focus inside the field, where the page's CSS cannot
    // reach: the field itself does not match :focus then, and Chromium draws its own ring.
    const picker = /^(date|datetime-local|time)$/.test(el.type) && !el.matches(":focus");
    const ring = picker || (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1) || s.boxShadow !== "none";
    const r = el.getBoundingClientRect();
    return {id: el.id, tag: el.tagName, text: (el.innerText || el.value || "").trim().slice(0, 40),
            ring, outline: s.outlineStyle + " " + s.outlineWidth, shadow: s.boxShadow, onScreen: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth};
}"""


def tab_to(page: Any, *, element_id: str = "", text: str = "", limit: int = 80) -> None:
    """Keyboard-only browser tests: press Tab until the element (by id, or by its text) has the
    focus; each stop on the way must show its focus (WCAG 2.4.7) and be on the screen."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS)
        if focus["ring"] and not focus["onScreen"]:
            # Content that arrives after the keystroke (the assistant's panel above the parties)
            # can push the focused field below the fold once Chromium has scrolled to it. That
            # is not a hidden focus stop; one that is off the page's canvas stays off screen.
            page.evaluate("() => document.activeElement.scrollIntoView({block: 'nearest'})")
            focus = page.evaluate(FOCUS)
        if not (focus["ring"] and focus["onScreen"]):
            pytest.fail(f"focus not visible on {focus}")
        if (element_id and focus["id"] == element_id) or (text and focus["text"] == text):
            return
    pytest.fail(f"Tab never reached {element_id or text!r}")


def choose_with_keys(page: Any, element_id: str, label: str, limit: int = 200) -> None:
    """A closed <select> with the focus: ArrowDown until the chosen option is ``label``."""
    for _ in range(limit):
        current = page.evaluate(
            "(id) => { const s = document.getElementById(id); return s.options[s.selectedIndex].text; }",
            element_id,
        )
        if current == label:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"option {label!r} not reached in #{element_id}")


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


TEST_NOW_ENV = "SHOULIAN_TEST_NOW"


def pytest_configure(config: pytest.Config) -> None:
    """``SHOULIAN_TEST_NOW=2027-06-01T10:00`` runs the whole session from that instant (Beijing time
    unless the value names another offset), the clock ticking on from there. It is how the suite
    shows it passes on any day of the year (``deadlines/tests/test_any_date.py``); a single test
    pins its own instant with time-machine's ``time_machine`` fixture instead."""
    config.addinivalue_line(
        "markers", "long: runs for minutes; collected first so the workers overlap it with the rest"
    )
    value = os.environ.get(TEST_NOW_ENV)
    if not value:
        return
    import time_machine

    moment = dt.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        from zoneinfo import ZoneInfo

        moment = moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """pytest-django's test databases, with a fast reload for serialized rollback (below)."""
    with django_db_blocker.unblock():
        for connection in connections.all():
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents is not None:
                _install_fast_reload(connection, contents)
            if connection.vendor == "postgresql":
                _flush_with_delete(connection)


def _flush_with_delete(connection: Any) -> None:
    """After each transactional test Django empties the database with one TRUNCATE of every
    table: on PostgreSQL about 3 s for our 60 tables (each gets new files), whatever they hold. A
    test leaves a few hundred rows, which DELETE removes in milliseconds. The foreign keys Django
    creates are deferred, so the order of the DELETEs does not matter inside the flush's
    transaction. Sequence resets and CASCADE (never asked for by our tests) keep TRUNCATE."""
    truncate = connection.ops.sql_flush

    def sql_flush(
        style: Any, tables: Any, *, reset_sequences: bool = False, allow_cascade: bool = False
    ) -> list[str]:
        if reset_sequences or allow_cascade or not tables:
            return truncate(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        # Table names come from the database's own catalogue, quoted.
        deletes = [f"DELETE FROM {connection.ops.quote_name(t)}" for t in tables]  # noqa: S608
        return ["SET CONSTRAINTS ALL DEFERRED", *deletes]

    connection.ops.sql_flush = sql_flush


def _install_fast_reload(connection: Any, contents: str) -> None:
    """Serialized rollback reloads what the migrations wrote (about 1,200 rows: holiday calendar,
    rules, classification, content types) before every transactional test. Django deserializes the
    JSON again each time and saves row by row (an UPDATE then an INSERT each): seconds per test
    on PostgreSQL. The rows are the same every time, so deserialize them once and write each
    model's rows with a few multi-row raw INSERTs, like ``save_base(raw=True)`` but batched: no
    field's ``pre_save`` runs, the values go in as they were serialized."""
    from django.core import serializers
    from django.db import transaction

    alias = connection.alias
    batches: list[tuple[Any, list[Any]]] = []
    through_rows: dict[Any, list[Any]] = {}
    for deserialized in serializers.deserialize("json", contents, using=alias):
        obj = deserialized.object
        if batches and batches[-1][0] is type(obj):
            batches[-1][1].append(obj)
        else:
            batches.append((type(obj), [obj]))
        for name, targets in (deserialized.m2m_data or {}).items():
            field: Any = obj._meta.get_field(name)
            through = field.remote_field.through
            source = field.m2m_field_name()
            target = field.m2m_reverse_field_name()
            through_rows.setdefault(through, []).extend(
                through(**{f"{source}_id": obj.pk, f"{target}_id": pk}) for pk in targets
            )

    def reload(data: str) -> None:
        # Django passes the same string it serialized at setup; anything else is not ours.
        if data is not contents:
            raise AssertionError("serialized test data changed after setup")
        tables = set()
        with transaction.atomic(using=alias), connection.constraint_checks_disabled():
            for model, objs in batches:
                manager = model._base_manager.using(alias)
                tables.add(model._meta.db_table)
                if manager.exists():
                    # Not flushed (the first transactional test follows the rolled-back ones):
                    # the same rows go in again. Removed without the ORM's cascade: the
                    # constraints are checked at the end, when every row is back.
                    manager.filter(pk__in=[obj.pk for obj in objs])._raw_delete(alias)
                fields = model._meta.local_concrete_fields
                size = connection.ops.bulk_batch_size(fields, objs) or len(objs)
                for start in range(0, len(objs), size):
                    manager._insert(
                        objs[start : start + size], fields=fields, raw=True, using=alias
                    )
            for through, rows in through_rows.items():
                manager = through._base_manager.using(alias)
                tables.add(through._meta.db_table)
                if not manager.exists():
                    manager.bulk_create(rows)
            connection.check_constraints(table_names=sorted(tables))

    connection.creation.deserialize_db_from_string = reload


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests (browser tests need one for the live server) flush the database after
    each test. Serialized rollback restores what data migrations created (deadline rules, holiday
    calendar, classification standard) and, because Django then flushes without re-running
    post_migrate, keeps content types from being created twice. It has to hold for every
    transactional test or the two kinds of flush collide."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = bool(marker and marker.kwargs.get("transaction"))
        if transactional or item.get_closest_marker("browser"):
            kwargs = dict(marker.kwargs) if marker else {}
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)
    # The longest tests first (``@pytest.mark.long``): pytest-xdist hands tests out in collection
    # order, so the full-size demo seeding, collected late (org), ran alone at the end of a CI
    # phase for minutes while the other worker waited. A stable sort keeps the rest in order.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
