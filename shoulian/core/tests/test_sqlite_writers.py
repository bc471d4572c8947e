"""The SQLite backend queues writers on a lock file (shoulian/core/db): a second writer starts
its transaction only after the first one has ended, and gives up with SQLite's own error when the
wait exceeds the configured timeout."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from shoulian.org.models import Unit

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite-only behaviour"),
]


def _write(name: str) -> None:
    Unit.objects.filter(code="none").update(name=name)


def test_a_second_writer_begins_only_after_the_first_commits() -> None:
    order: list[str] = []
    first_in = threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                _write("a")
                order.append("first began")
                first_in.set()
                time.sleep(0.2)
                order.append("first committing")
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_in.wait(5)
            with transaction.atomic():
                order.append("second began")
                _write("b")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert order == ["first began", "first committing", "second began"]


def test_a_writer_that_waits_too_long_gets_sqlites_own_error() -> None:
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        try:
            with transaction.atomic():
                _write("a")
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=holder)
    thread.start()
    options = connection.settings_dict["OPTIONS"]
    try:
        held.wait(5)
        connection.close()
        connection.settings_dict["OPTIONS"] = {**options, "timeout": 0.2}
        with pytest.raises(OperationalError, match="database is locked"), transaction.atomic():
            _write("b")
    finally:
        release.set()
        thread.join(10)
        connection.close()
        connection.settings_dict["OPTIONS"] = options


def test_the_lock_file_is_held_exactly_for_the_transaction() -> None:
    import fcntl
    import os

    def free() -> bool:
        fd = os.open(f"{connection.settings_dict['NAME']}.writelock", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        else:
            fcntl.flock(fd, fcntl.LOCK_UN)
            return True
        finally:
            os.close(fd)

    assert free()
    with transaction.atomic():
        _write("a")
        assert not free()
    assert free()
    with pytest.raises(RuntimeError), transaction.atomic():
        _write("b")
        raise RuntimeError("rolled back")
    assert free()
