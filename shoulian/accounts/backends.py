from typing import Any

from django.contrib.auth.backends import ModelBackend

from shoulian.accounts.models import User


class StaffBackend(ModelBackend):
    """ModelBackend that loads the user's unit with the user: every staff page shows and scopes by
    it, so the join saves a query on each request."""

    def get_user(self, user_id: Any) -> User | None:  # type: ignore[override]
        user = User._default_manager.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
