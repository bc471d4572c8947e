from typing import Any

from django.contrib.auth.backends import ModelBackend

from shoulian.accounts.models import User


class StaffBackend(ModelBackend):
    """ModelBackend that loads the user's unit with the user: every staff page shows and scopes by
    it, so the join saves a query on each request."""

    def get_user(self, user_id: Any) -> User | None:  # type: ignore[override]
        # get() rather than first(): first() would order by the model's ordering, a join on unit.
        try:
            user = User._default_manager.select_related("unit").get(pk=user_id)
        except (User.DoesNotExist, ValueError, TypeError):
            return None
        return user if self.user_can_authenticate(user) else None
