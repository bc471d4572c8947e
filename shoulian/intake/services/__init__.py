"""Writes of the intake desk, one module per sub-domain. Each service is atomic and writes its
audit events in the same transaction (U5)."""

from shoulian.intake.services.alerts import (
    alert_complete_registration,
    alert_import,
    alert_register,
    alert_summary,
    fingerprint,
    idempotency_purge,
)
from shoulian.intake.services.api_clients import (
    TOKEN_PREFIX,
    api_auth_failed,
    api_auth_wait,
    api_client_authenticate,
    api_client_create,
    api_client_revoke,
    token_digest,
)
from shoulian.intake.services.categories import (
    category_create,
    category_flags_apply,
    category_flags_revise,
    category_seed_standard,
    category_update,
    flag_versions,
    flags_in_force,
)
from shoulian.intake.services.common import (
    DESK_UNIT_KINDS,
    REGISTRATION_PERIOD,
    AlertInput,
    ConcurrentUpdate,
    FileInput,
    IdempotencyConflict,
    ItemInput,
    PartyInput,
    Registration,
    require_desk_clerk,
)
from shoulian.intake.services.drafts import (
    DRAFT_LIFETIME,
    draft_discard,
    draft_save,
    drafts_purge_expired,
)
from shoulian.intake.services.evidence import (
    VerifyResult,
    evidence_attach,
    evidence_open,
    evidence_verify,
    sweep_orphans,
)
from shoulian.intake.services.receipts import receipt_print

__all__ = [
    "DESK_UNIT_KINDS",
    "DRAFT_LIFETIME",
    "REGISTRATION_PERIOD",
    "TOKEN_PREFIX",
    "AlertInput",
    "ConcurrentUpdate",
    "FileInput",
    "IdempotencyConflict",
    "ItemInput",
    "PartyInput",
    "Registration",
    "VerifyResult",
    "alert_complete_registration",
    "alert_import",
    "alert_register",
    "alert_summary",
    "api_auth_failed",
    "api_auth_wait",
    "api_client_authenticate",
    "api_client_create",
    "api_client_revoke",
    "category_create",
    "category_flags_apply",
    "category_flags_revise",
    "flag_versions",
    "flags_in_force",
    "category_seed_standard",
    "category_update",
    "draft_discard",
    "draft_save",
    "drafts_purge_expired",
    "evidence_attach",
    "evidence_open",
    "evidence_verify",
    "fingerprint",
    "idempotency_purge",
    "receipt_print",
    "require_desk_clerk",
    "sweep_orphans",
    "token_digest",
]
