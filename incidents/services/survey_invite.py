from django.db import transaction
from django_q.tasks import async_task


def survey_invite_later(incident):
    """Queue the satisfaction survey of a resolved incident once the resolving transaction commits (nothing is
    sent for a rollback); services/satisfaction.py builds and sends it."""
    if incident.customer_id and incident.customer.email:
        transaction.on_commit(lambda: async_task("incidents.tasks.send_survey", incident.pk))
