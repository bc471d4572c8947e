"""The one page of an object, for pages of apps that only know the object by type and id.

A deadline names the alert it runs for as ``("alert", "42")``, a journal event names its object
the same way, and intake's old detail address must lead to the alert file. None of these apps may
import the app that owns the page (workflow sits above them), so that app registers the page's
URL name here from its ``AppConfig.ready()``::

    links.register("alert", "workflow:file")

``{% load links %}{% object_url d.object_type d.object_id as url %}`` then gives the address, or
an empty string for a type nobody registered (the page shows the bare reference instead). The
URL is an address only: the page itself still decides who may open it.
"""

from __future__ import annotations

from django.urls import reverse

_PAGES: dict[str, str] = {}


def register(object_type: str, url_name: str) -> None:
    _PAGES[object_type] = url_name


def url_for(object_type: str, object_id: object) -> str:
    """The page of the object, or "" when its type has none or the id cannot be one."""
    name = _PAGES.get(object_type)
    text = str(object_id)
    if name is None or not text.isdigit():
        return ""
    return reverse(name, kwargs={"pk": int(text)})
