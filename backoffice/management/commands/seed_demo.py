from django.core.management.base import BaseCommand
from django.db import transaction

from backoffice.demo_users import DEMO_PASSWORD, DEMO_USERS, seed_users
from incidents import demo as incident_demo
from invoices import demo as invoice_demo
from invoices import demo_story


def seed_demo_users():
    with transaction.atomic():
        return seed_users()


def seed_demo_data(users, write, *, invoices=500, customers=50):
    """Everything but the logins (`runall --demo` starts the web server between the two)."""
    counts = invoice_demo.seed(actor=users["finance"], invoices=invoices, customers=customers)
    write(f"ledger: {counts}")
    write(f"story: {demo_story.seed(actor=users['finance'])}")
    write(f"incidents.demo: {incident_demo.seed(users=users)}")


class Command(BaseCommand):
    help = "Create demo users and demo data. Safe to run again: it only adds what is missing."

    def add_arguments(self, parser):
        parser.add_argument("--invoices", type=int, default=500)
        parser.add_argument("--customers", type=int, default=50)

    def handle(self, *args, invoices, customers, **options):
        users = seed_demo_users()
        seed_demo_data(users, lambda text: self.stdout.write(self.style.SUCCESS(text)), invoices=invoices,
                       customers=customers)
        self.stdout.write("demo logins (password %s): %s" % (DEMO_PASSWORD, ", ".join(u[0] for u in DEMO_USERS)))
