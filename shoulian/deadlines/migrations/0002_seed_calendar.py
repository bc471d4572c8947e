"""Seed the holiday calendar from chinese-calendar (every year it carries), so a fresh install
counts correctly without demo mode. Later library releases come in with
``manage.py deadlines_sync_calendar``; years the administrator typed in are never overwritten."""

from django.db import migrations


def seed(apps, schema_editor):
    from shoulian.deadlines.holidays import library_notice, library_years

    CalendarYear = apps.get_model("deadlines", "CalendarYear")
    CalendarDay = apps.get_model("deadlines", "CalendarDay")
    for year, days in library_years().items():
        if CalendarYear.objects.filter(year=year).exists():
            continue
        calendar_year = CalendarYear.objects.create(
            year=year, source="library", status="published", notice=library_notice(year)
        )
        CalendarDay.objects.bulk_create(
            CalendarDay(year=calendar_year, date=d.date, is_rest_day=d.is_rest_day, name=d.name)
            for d in days
        )


def unseed(apps, schema_editor):
    apps.get_model("deadlines", "CalendarYear").objects.filter(source="library").delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
