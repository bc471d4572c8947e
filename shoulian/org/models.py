"""The bureau's organisation: a unit tree with materialised paths, and jurisdiction areas."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from shoulian.core.types import UnitLike
from shoulian.org.choices import UnitKind

unit_code_validator = RegexValidator(
    r"^[0-9A-Z]{2,12}$", "单位代码应为 2–12 位数字或大写字母（如公安机关机构代码）。"
)


class UnitQuerySet(models.QuerySet["Unit"]):
    def subtree(self, root: UnitLike) -> UnitQuerySet:
        return self.filter(path__startswith=root.path)

    def active(self) -> UnitQuerySet:
        return self.filter(is_active=True)


class Unit(models.Model):
    """One node of 市局 → 分局 → 所队. ``path`` is the chain of ids ("/1/4/9/"): subtree = prefix."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="上级单位",
    )
    code = models.CharField(
        "单位代码", max_length=12, unique=True, validators=[unit_code_validator]
    )
    name = models.CharField("单位名称", max_length=60)
    short_name = models.CharField("简称", max_length=20, blank=True)
    kind = models.CharField("单位类型", max_length=24, choices=UnitKind.choices)
    phone = models.CharField("对外联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=120, blank=True)
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField("启用", default=True)
    # The demo bureau (seed_demo) is the only place where the TOTP waiver may apply.
    is_demo = models.BooleanField("演示单位", default=False, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_unique_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def ancestors(self) -> list[Unit]:
        ids = [int(p) for p in self.path.strip("/").split("/") if p]
        by_id = Unit.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def bureau(self) -> Unit:
        """The 分局 this unit belongs to (itself if it is one); the city bureau for city units."""
        chain = self.ancestors()
        for unit in reversed(chain):
            if unit.kind == UnitKind.BUREAU:
                return unit
        return chain[0] if chain else self

    @property
    def is_station(self) -> bool:
        return self.kind == UnitKind.STATION


class Area(models.Model):
    """A 派出所's jurisdiction (辖区) and the place names it covers, used to suggest routing."""

    station = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="areas",
        verbose_name="所属派出所",
        limit_choices_to={"kind": UnitKind.STATION},
    )
    name = models.CharField("辖区名称", max_length=60)
    description = models.TextField("辖区范围说明", blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "辖区"
        verbose_name_plural = "辖区"
        ordering = ["station__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "name"], name="area_unique_name_per_station"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """A place name (街道、社区、村、路、小区) inside an area; a place name belongs to one area."""

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="places", verbose_name="辖区"
    )
    name = models.CharField("地名", max_length=60)

    class Meta:
        verbose_name = "地名"
        verbose_name_plural = "地名"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="place_unique_name_per_area"),
        ]

    def __str__(self) -> str:
        return self.name
