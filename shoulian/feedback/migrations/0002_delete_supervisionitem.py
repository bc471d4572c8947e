"""督办事项 moved into supervision: every row became a finding of ``follow_up_dissatisfied``
(supervision 0003, which reads this table first and rebuilds it when reversed)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0001_initial"),
        ("supervision", "0003_carry_over_follow_up_items"),
    ]

    operations = [
        migrations.DeleteModel(name="SupervisionItem"),
    ]
