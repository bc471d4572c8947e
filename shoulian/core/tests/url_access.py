"""Access rules for the URL matrix (Z1). Every app keeps one such module at
``shoulian/<app>/tests/url_access.py`` exporting ``ACCESS``; a URL name missing from all of them
fails CI."""

from shoulian.core.tests.matrix import PUBLIC, STAFF, Rule

ACCESS = {
    "core:home": Rule(STAFF),
    "core:healthz": Rule(PUBLIC),
    "core:set_language": Rule(PUBLIC, ok=405),
}
