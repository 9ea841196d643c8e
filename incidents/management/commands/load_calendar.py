"""manage.py load_calendar 2027.csv: a year's official 放假/调休 notice into the default work calendar."""
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from incidents.models import WorkCalendar
from incidents.services.calendar_load import calendar_load, parse_calendar_file


class Command(BaseCommand):
    help = ("Load holidays and make-up working days from a CSV file of date,kind,name rows (kind 放假 or 上班), "
            "replacing the days of the years it holds, and move the SLA due times the change touches.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV: date (YYYY-MM-DD), kind (放假/上班 or holiday/workday), name")
        parser.add_argument("--calendar", help="name of the work calendar (default: the default calendar)")

    def handle(self, *args, file, calendar=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError(f"{file}: not UTF-8 text; save the file as UTF-8 CSV") from None
        target = None
        if calendar:
            target = WorkCalendar.objects.filter(name=calendar).first()
            if target is None:
                raise CommandError(f"--calendar: no work calendar named {calendar!r}")
        try:
            result = calendar_load(rows=parse_calendar_file(text), calendar=target)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        years = ", ".join(str(y) for y in result.years)
        self.stdout.write(f"{years}: {result.holidays} holidays, {result.workdays} make-up working days loaded "
                          f"({result.removed} earlier rows replaced); SLA due times moved on {result.incidents_moved} "
                          f"incidents.")
