"""`manage.py seed_scale --invoices N --incidents M`: benchmark fixture data at scale."""
import random
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from backoffice.demo_users import seed_users
from bench.scale import desk, ledger
from bench.scale.bulk import BulkWriter
from core.roles import CUSTOMER_SERVICE, FINANCE
from incidents.demo import seed_teams
from incidents.models import Team


class Command(BaseCommand):
    help = (
        "Write benchmark fixture data at scale: sellers, ~20,000 customers, N invoices with 1-5 lines, events, "
        "sync attempts and red-letter chains, and M incidents with checklists, timelines, communications, "
        "follow-ups and affected invoices. FIXTURE DATA ONLY: it bypasses the services (COPY on PostgreSQL, "
        "batched INSERTs on SQLite) for speed; the rows satisfy every model constraint and the domain formats, "
        "but nothing is sent to the tax platform and no signals fire. Adds to what is there; prints rows/s."
    )

    def add_arguments(self, parser):
        parser.add_argument("--invoices", type=int, default=1_000_000)
        parser.add_argument("--incidents", type=int, default=200_000)
        parser.add_argument("--customers", type=int, default=20_000)
        parser.add_argument("--reps", type=int, default=20, help="customer-service logins to own incidents")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, invoices, incidents, customers, reps, seed, **options):
        rng = random.Random(seed)
        writer = BulkWriter()
        started = time.perf_counter()
        with transaction.atomic():
            users = seed_users()
            rep_ids = self._reps(reps) + [users["cs"].pk, users["cs2"].pk]
            team_of = self._teams(users, rep_ids)
            finance_ids = [users["finance"].pk, users["finance2"].pk]
            t0 = time.perf_counter()
            buyers = ledger.customers(writer, rng, max(customers, 1), _now())
            first_id, buyer_of = ledger.invoices(writer, rng, count=invoices, buyers=buyers, actor_ids=finance_ids)
            self._report("ledger", writer, t0)
            t0 = time.perf_counter()
            writer.rows.clear()
            if incidents and len(buyer_of):
                seller_ids = [s.pk for s, _w in ledger.sellers()]
                desk.incidents(writer, rng, count=incidents, reps=rep_ids, team_of=team_of, manager_id=users["manager"].pk,
                               invoices_first_id=first_id, buyer_of=buyer_of, buyers=buyers, seller_ids=seller_ids)
            self._report("incident desk", writer, t0)
        t0 = time.perf_counter()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh statistics: the planner and the estimated counts use them
        self.stdout.write(f"ANALYZE: {time.perf_counter() - t0:.1f} s")
        self.stdout.write(self.style.SUCCESS(f"done in {time.perf_counter() - started:.1f} s"))

    def _reps(self, count):
        User = get_user_model()
        cs, ids = Group.objects.get(name=CUSTOMER_SERVICE), []
        Group.objects.get(name=FINANCE)  # the roles migration ran
        for n in range(1, count + 1):
            user, created = User.objects.get_or_create(username=f"rep{n:02d}",
                                                       defaults={"is_staff": True, "first_name": f"客服{n:02d}"})
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(cs)
            ids.append(user.pk)
        return ids

    def _teams(self, users, rep_ids):
        """The demo teams (北京组 with `cs`, 上海组 with `cs2`), the generated reps split between them."""
        seed_teams(users)
        teams = [Team.objects.get(name="北京组"), Team.objects.get(name="上海组")]
        team_of = {}
        for rep_id in rep_ids:
            team = next((t for t in teams if t.members.filter(pk=rep_id).exists()), None)
            if team is None:
                team = teams[len(team_of) % 2]
                team.members.add(rep_id)
            team_of[rep_id] = team.pk
        return team_of

    def _report(self, label, writer, t0):
        seconds = time.perf_counter() - t0
        total = sum(writer.rows.values())
        for table, n in writer.rows.items():
            self.stdout.write(f"  {table:<32} {n:>10,}")
        self.stdout.write(f"{label}: {total:,} rows in {seconds:.1f} s = {total / max(seconds, 1e-9):,.0f} rows/s")


def _now():
    from django.utils import timezone

    return timezone.now()
