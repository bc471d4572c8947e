"""Models that exist only for these tests. Their app label is not installed, so migrations,
the project-wide registry walk and the URL matrix never see them; conftest creates the table."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shoulian.org.models import Unit
from shoulian.privacy.choices import IdType, Kind
from shoulian.privacy.fields import BlindIndexField, EncryptedField
from shoulian.privacy.policy import Custody

APP_LABEL = "privacy_tests"


class Sample(models.Model):
    """Shaped like the intake desk's party: who registered it, who handles it, and the data."""

    # No database constraints: this table lives for the whole test session, and a foreign key
    # into org/accounts would stop PostgreSQL from truncating those tables when transactional
    # (browser) tests flush the database.
    registering_unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    handling_unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="+", null=True, db_constraint=False
    )
    handling_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    handling_officer_id: int | None
    name = models.CharField("姓名", max_length=50, blank=True)
    id_type = models.CharField(max_length=30, choices=IdType.choices, default=IdType.RESIDENT_ID)
    id_number = EncryptedField("证件号码", kind=Kind.ID_NUMBER)
    id_number_index = BlindIndexField(source="id_number")
    phone = EncryptedField("联系电话", kind=Kind.PHONE)
    phone_index = BlindIndexField(source="phone")
    address = EncryptedField("住址", kind=Kind.ADDRESS, searchable=False)

    # Spelled out: type checkers cannot see the default manager of an app that is not installed.
    objects: models.Manager[Sample] = models.Manager()

    class Meta:
        app_label = APP_LABEL

    def __str__(self) -> str:
        return f"{self.name} {self.id_number} {self.phone}"

    def privacy_custody(self) -> Custody:
        return Custody(
            registering_unit=self.registering_unit,
            handling_unit=self.handling_unit,
            handling_officer_id=self.handling_officer_id,
        )


class Undeclared(models.Model):
    """Never saved: gives the registry walk fields to find."""

    contact_mobile = models.CharField(max_length=20)
    home_address = models.CharField("住址", max_length=200)
    remark = models.CharField("籍贯地址", max_length=50)
    title = models.CharField("标题", max_length=50)
    secret = EncryptedField(kind=Kind.FREE_TEXT, searchable=False)

    class Meta:
        app_label = APP_LABEL

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class MissingIndex(models.Model):
    """Never saved: a searchable encrypted field without its index (system check E002)."""

    phone = EncryptedField(kind=Kind.PHONE)

    class Meta:
        app_label = APP_LABEL

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"


class NoCustody(models.Model):
    """Never saved: holds personal data but cannot say who may reveal it."""

    secret = EncryptedField(kind=Kind.FREE_TEXT, searchable=False)

    class Meta:
        app_label = APP_LABEL

    def __str__(self) -> str:
        return f"{type(self).__name__} {self.pk}"
