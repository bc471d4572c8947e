"""Who reads and writes bulletins, on top of the bureau scope."""

from __future__ import annotations

from shoulian.accounts.choices import Role

# The bureau's leadership and supervisors read every figure, draft and summary of the bureau.
BUREAU_READERS = frozenset({Role.CENTER_HEAD, Role.LEGAL_BRIGADE, Role.BUREAU_HEAD, Role.INSPECTOR})
# Who drafts and edits a monthly bulletin.
EDITORS = frozenset({Role.CENTER_HEAD, Role.LEGAL_BRIGADE})
# Everyone who receives an issued bulletin (every member of staff but the administrator).
RECIPIENT_ROLES = frozenset(Role.values) - {Role.ADMIN}
