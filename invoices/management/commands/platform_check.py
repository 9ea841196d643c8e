from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from invoices.ledger.models import Seller
from invoices.reconciliation.models import CheckOrigin, PlatformCheck
from invoices.reconciliation.services.platform_check import platform_check_run, platform_check_start


def _day(value):
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: give YYYY-MM-DD") from None


class Command(BaseCommand):
    help = ("Check a seller's invoices of a period against the tax platform's listing now (the scheduled platform "
            "check, for one seller and period) and print its counts.")

    def add_arguments(self, parser):
        parser.add_argument("--seller", required=True, help="the seller's tax id")
        parser.add_argument("--from", dest="issued_from", required=True, help="first day of issue, YYYY-MM-DD")
        parser.add_argument("--to", dest="issued_to", required=True, help="last day of issue, YYYY-MM-DD")

    def handle(self, *args, seller, issued_from, issued_to, **options):
        found = Seller.objects.filter(tax_id=seller.strip().upper()).first()
        if found is None:
            raise CommandError(f"--seller: no seller has the tax id {seller!r}")
        try:
            check = platform_check_start(seller=found, issued_from=_day(issued_from), issued_to=_day(issued_to),
                                         origin=CheckOrigin.COMMAND)
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        # Run here; a worker handed the same job finds the check no longer queued and leaves it.
        platform_check_run(check.pk)
        check = PlatformCheck.objects.get(pk=check.pk)
        counts = ", ".join(f"{k} {v}" for k, v in check.counts.items())
        self.stdout.write(f"platform check #{check.pk} {check.status}: {counts}")
        if check.incident_number:
            self.stdout.write(f"incident {check.incident_number}")
        if check.error:
            raise CommandError(check.error)
