"""Personal-data declarations of the deadline engine (P4): it stores none."""

from shoulian.privacy.registry import not_personal

not_personal("deadlines.CalendarDay", "name", reason="节假日名称（春节、国庆节、调休上班）")
not_personal("deadlines.DeadlineRule", "name", reason="法定期限规则的名称")
