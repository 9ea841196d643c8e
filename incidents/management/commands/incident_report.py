"""manage.py incident_report --period 2026-11 | --week 2026-W48 [--format xlsx,pdf] [--output DIR] [--team ID]
[--email]: build the management report (kept as a Report in the admin), copy its files to DIR, optionally
email it to the managers."""
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from incidents.models import ReportKind, Team
from incidents.reporting.periods import WEEK, parse_period
from incidents.services.reports import report_build, report_send


class Command(BaseCommand):
    help = "Build the incident management report for a month or an ISO week (XLSX and/or PDF)."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--period", help="a month, e.g. 2026-11")
        which.add_argument("--week", help="an ISO week, e.g. 2026-W48")
        parser.add_argument("--format", default="xlsx,pdf", help="xlsx, pdf or both, comma separated")
        parser.add_argument("--output", default=".", help="directory the files are copied to")
        parser.add_argument("--team", type=int, help="only this team's incidents and follow-ups (team id)")
        parser.add_argument("--email", action="store_true", help="also email the report to the managers")

    def handle(self, *args, **o):
        value = o["period"] or o["week"]
        if o["period"] and WEEK.match(value):
            raise CommandError("--period takes a month such as 2026-11; use --week for 2026-W48.")
        if o["week"] and not WEEK.match(value):
            raise CommandError("--week takes an ISO week such as 2026-W48.")
        try:
            period = parse_period(value)
        except ValidationError as exc:
            raise CommandError(f"--{'week' if o['week'] else 'period'}: {exc.message_dict['period'][0]}") from exc
        formats = tuple(f.strip() for f in o["format"].split(",") if f.strip())
        team = None
        if o["team"] is not None:
            team = Team.objects.filter(pk=o["team"]).first()
            if team is None:
                raise CommandError(f"--team: no team with id {o['team']}.")
        output = Path(o["output"])
        if output.exists() and not output.is_dir():
            raise CommandError(f"--output: {output} is not a directory.")
        try:
            report = report_build(period=period, kind=ReportKind.ON_DEMAND, team=team, formats=formats)
        except ValidationError as exc:
            raise CommandError("; ".join(f"--{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        output.mkdir(parents=True, exist_ok=True)
        for fmt, field in (("xlsx", report.xlsx_file), ("pdf", report.pdf_file)):
            if field:
                target = output / f"incident-report-{period.key}.{fmt}"
                with field.open("rb") as fh:
                    target.write_bytes(fh.read())
                self.stdout.write(str(target))
        if o["email"]:
            report = report_send(report=report)
            self.stdout.write(f"sent to {report.recipients.count()} manager(s)")
