"""The shape of a staff user and of a unit as core and the journal see them.

``core`` and ``audit`` sit below ``org`` and ``accounts`` (docs/architecture.md, the layers
contract): they may not import ``accounts.User`` or ``org.Unit``, not even for type checking.
These protocols name exactly what they read; ``accounts.User`` and ``org.Unit`` satisfy them, and
mypy checks that wherever a real user or unit is passed in.
"""

from __future__ import annotations

from typing import Any, Protocol


class UnitLike(Protocol):
    """A node of the unit tree (``org.Unit``)."""

    @property
    def pk(self) -> Any: ...

    @property
    def path(self) -> str: ...

    @property
    def kind(self) -> str: ...

    def bureau(self) -> UnitLike: ...


class Actor(Protocol):
    """A signed-in member of staff (``accounts.User``) as core, scoping and the journal use it."""

    @property
    def pk(self) -> Any: ...

    @property
    def username(self) -> str: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def unit(self) -> UnitLike | None: ...

    @property
    def unit_id(self) -> int | None: ...

    @property
    def role_set(self) -> frozenset[str]: ...

    def has_role(self, *roles: str) -> bool: ...
