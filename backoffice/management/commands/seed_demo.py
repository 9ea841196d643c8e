from django.core.management.base import BaseCommand
from django.db import transaction

from backoffice.demo_users import DEMO_PASSWORD, DEMO_USERS, seed_users
from incidents import demo as incident_demo
from invoices import demo as invoice_demo
from invoices import demo_story


class Command(BaseCommand):
    help = "Create demo users and demo data. Safe to run again: it only adds what is missing."

    def add_arguments(self, parser):
        parser.add_argument("--invoices", type=int, default=500)
        parser.add_argument("--customers", type=int, default=50)

    def handle(self, *args, invoices, customers, **options):
        with transaction.atomic():
            users = seed_users()
        counts = invoice_demo.seed(actor=users["finance"], invoices=invoices, customers=customers)
        self.stdout.write(self.style.SUCCESS(f"ledger: {counts}"))
        self.stdout.write(self.style.SUCCESS(f"story: {demo_story.seed(actor=users['finance'])}"))
        counts = incident_demo.seed(users=users)
        self.stdout.write(self.style.SUCCESS(f"incidents.demo: {counts}"))
        self.stdout.write("demo logins (password %s): %s" % (DEMO_PASSWORD, ", ".join(u[0] for u in DEMO_USERS)))
