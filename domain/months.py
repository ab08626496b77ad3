from datetime import datetime


def add_one_month(moment: datetime) -> datetime:
    """The same day and time one calendar month later, clamped to the month's last day
    (31 January → 28 or 29 February): the GDPR's one-month answer period."""
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
