"""The classification standard a new installation starts with (shoulian/intake/standard.py).
Only missing codes are added, so a bureau's own changes survive."""

from django.db import migrations


def seed(apps, schema_editor):
    from shoulian.intake.standard import STANDARD

    Category = apps.get_model("intake", "Category")
    for order, group in enumerate(STANDARD):
        parent, _ = Category.objects.get_or_create(
            code=group.code,
            defaults={"name": group.group.label, "group": group.group.value, "sort_order": order},
        )
        for leaf_order, leaf in enumerate(group.leaves):
            Category.objects.get_or_create(
                code=leaf.code,
                defaults={
                    "parent": parent,
                    "name": leaf.name,
                    "group": group.group.value,
                    "is_case_type": leaf.case,
                    "requires_legal_review": leaf.review,
                    "is_sensitive": leaf.sensitive,
                    "sort_order": leaf_order,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("intake", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
