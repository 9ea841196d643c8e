from core.jobs import enqueue_on_commit


def survey_invite_later(incident):
    """Queue the satisfaction survey of a resolved incident once the resolving transaction commits (nothing is
    sent for a rollback); services/satisfaction.py builds and sends it."""
    if incident.customer_id and incident.customer.email:
        enqueue_on_commit("incidents.send_survey", key=f"survey-{incident.pk}", incident_id=incident.pk)
