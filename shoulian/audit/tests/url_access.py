from shoulian.accounts.choices import Role
from shoulian.core.tests.matrix import Rule

ACCESS = {
    "audit:journal": Rule(frozenset({Role.INSPECTOR})),
}
