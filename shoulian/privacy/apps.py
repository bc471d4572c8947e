from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules

from shoulian.audit import canonical


class PrivacyConfig(AppConfig):
    name = "shoulian.privacy"
    label = "privacy"
    verbose_name = "个人信息保护"

    def ready(self) -> None:
        from shoulian.privacy import (
            checks,  # noqa: F401  (registers the system checks)
            masking,
        )

        # The journal masks stray personal values with the same rules as the screens (P1).
        canonical.register_masks(
            id_number=masking.mask_id_number,
            mobile=masking.mask_phone,
            name=masking.mask_name,
            address=masking.mask_address,
        )

        # Each app declares its personal fields in ``<app>/personal_data.py`` (P4); importing
        # them here fills the registry before any request, command or test reads it.
        autodiscover_modules("personal_data")
