from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as Promise
else:
    from django.utils.functional import Promise

# A user-facing string: plain, or lazily translated (gettext_lazy).
Text: TypeAlias = "str | Promise"
