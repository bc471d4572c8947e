"""Registry of demo-data seeders. Each app adds an idempotent function; ``seed_demo`` runs them in
order. Later work (alerts, cases, supervision) registers its own months of data here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

# The demo covers the five months before the day ``seed_demo`` runs (about as long as the seed
# article's pilot), so its queues hold fresh work whenever it is loaded.
DEMO_DAYS = 152


def demo_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the demo months when ``seed_demo`` runs on ``today``."""
    return today - dt.timedelta(days=DEMO_DAYS - 1), today


@dataclass(frozen=True)
class Seeder:
    order: int
    name: str
    func: Callable[..., str]


_SEEDERS: list[Seeder] = []


def demo_seeder(order: int, name: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """Register ``func(*, rng, stdout_lines) -> summary``; it must be safe to run twice."""

    def decorator(func: Callable[..., str]) -> Callable[..., str]:
        if not any(s.name == name for s in _SEEDERS):
            _SEEDERS.append(Seeder(order, name, func))
        return func

    return decorator


def seeders() -> list[Seeder]:
    return sorted(_SEEDERS, key=lambda s: s.order)
