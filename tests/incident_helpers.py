from incidents.models import IncidentCategory, Severity
from incidents.services.incidents import incident_open


def open_incident(actor=None, **overrides):
    data = {"title": "发票查不到", "category": IncidentCategory.INVOICE_MISSING, "severity": Severity.SEV3, **overrides}
    return incident_open(actor=actor, **data)
