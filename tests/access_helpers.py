"""A small world for the team and role tests: two teams of reps, finance, a manager, a superuser, a groupless
staff user, and one of every record the API exposes, team-scoped ones in team A."""
from datetime import timedelta

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.roles import CUSTOMER_SERVICE, FINANCE, MANAGER
from incidents.models import Team
from incidents.services.communications import communication_log
from incidents.services.followups import followup_create
from invoices.platform.export_writer import build_file, invoice_row
from invoices.reconciliation.services.runs import reconciliation_start

from . import factories
from .incident_helpers import open_incident
from .recon_helpers import PERIOD
from .reissue_helpers import blue, request_full

ROLES = ["anonymous", "groupless", "cs_a", "cs_b", "finance", "manager", "superuser"]


def build_world(django_user_model):
    def user(name, group=None, **extra):
        u = django_user_model.objects.create_user(username=name, password="pw-" + name, is_staff=True, **extra)
        if group:
            u.groups.add(Group.objects.get(name=group))
        return u

    users = {
        "anonymous": None,
        "groupless": user("groupless"),
        "cs_a": user("cs_a", CUSTOMER_SERVICE),
        "cs_b": user("cs_b", CUSTOMER_SERVICE),
        "finance": user("fin", FINANCE),
        "finance2": user("fin2", FINANCE),
        "manager": user("mgr", MANAGER),
        "superuser": user("root", is_superuser=True),
    }
    team_a, team_b = Team.objects.create(name="A"), Team.objects.create(name="B")
    team_a.members.add(users["cs_a"])
    team_b.members.add(users["cs_b"])
    seller, customer = factories.seller(), factories.customer()
    invoice = blue(seller, customer, platform=False)  # no file on the platform: the file endpoint answers 404
    incident = open_incident(users["cs_a"], customer=customer)
    followup = followup_create(actor=users["cs_a"], title="call back", due_at=timezone.now() + timedelta(days=1),
                               incident=incident)
    comm = communication_log(actor=users["cs_a"], customer=customer, incident=incident, channel="phone",
                             direction="inbound", subject="where is my invoice")
    reissue = request_full(invoice, users["finance2"])
    run = reconciliation_start(actor=users["finance"], seller=seller, period_start=PERIOD[0],
                               period_end=PERIOD[1], file=SimpleUploadedFile(
                                   "export.csv", build_file([invoice_row(invoice, seq=1)], "csv-bom")))
    from core.jobs.models import Job, JobStatus

    from invoices.reissue.models import RedLetterForm

    # A form the buyer entered (03) against the world's invoice, waiting for finance's answer: nobody proposed yet.
    form = RedLetterForm.objects.create(
        number="26118000000000000001", original=invoice, reason="01", status="03", entered_by="buyer",
        amount=-invoice.amount, tax_amount=-invoice.tax_amount, lapses_at=timezone.now() + timedelta(hours=72))
    job = Job.objects.create(name="reissue.redeliver", area="invoices", status=JobStatus.FAILED, last_error="x",
                             params={"invoice_id": invoice.pk, "email": "a@example.cn", "actor_id": None})
    from invoices.reconciliation.models import PlatformCheck, RunStatus

    check = PlatformCheck.objects.create(seller=seller, issued_from=PERIOD[0], issued_to=PERIOD[1],
                                         status=RunStatus.DONE)
    objects = {"platform-checks": check, "jobs": job, "customers": customer, "invoices": invoice, "incidents": incident, "follow-ups": followup,
               "communications": comm, "reissue-requests": reissue, "reconciliations": run,
               "red-letter-forms": form}
    return users, objects, {"A": team_a, "B": team_b}
