import importlib.util
from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from backoffice.demo_users import DEMO_PASSWORD, DEMO_USERS, seed_users

DEMO_MODULES = ["incidents.demo"]


class Command(BaseCommand):
    help = "Create demo users and demo data. Safe to run again: it only adds what is missing."

    def add_arguments(self, parser):
        parser.add_argument("--invoices", type=int, default=500)
        parser.add_argument("--customers", type=int, default=50)

    def handle(self, *args, invoices, customers, **options):
        with transaction.atomic():
            users = seed_users()
        from invoices import demo as invoice_demo

        counts = invoice_demo.seed(actor=users["finance"], invoices=invoices, customers=customers)
        self.stdout.write(self.style.SUCCESS(f"ledger: {counts}"))
        # Apps after the ledger add their own demo module, seeded in this order once it exists.
        for name in DEMO_MODULES:
            if importlib.util.find_spec(name) is None:
                continue
            counts = import_module(name).seed(users=users)
            self.stdout.write(self.style.SUCCESS(f"{name}: {counts}"))
        self.stdout.write("demo logins (password %s): %s" % (DEMO_PASSWORD, ", ".join(u[0] for u in DEMO_USERS)))
