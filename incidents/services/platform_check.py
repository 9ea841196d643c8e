"""A platform check's findings (invoices.signals.platform_check_found): ONE incident per check with findings, for
finance, category 平台核对差异, holding every invoice the check found missing on the platform (uploaded again) or held
otherwise (mismatch), the counts in its description. Each missing invoice the platform has again
(invoices.signals.invoice_back_on_platform) is ticked off on the timeline; when every one is back and none still
differs, the incident resolves itself with its root cause and resolution written (a manager still signs it off)."""
from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from invoices.ledger.models import Invoice, Seller, SyncStatus
from invoices.reconciliation.models import PlatformCheck, RunStatus
from invoices.reconciliation.services.platform_check import platform_check_incident_set

from ..models import EventKind, Incident, IncidentCategory, IncidentEvent, IncidentKind, RootCauseCategory, Severity
from ..models.incident import IncidentStatus
from .incidents import incident_transition, lock_incident, open_incident_for_source
from .timeline import event_record
from .work import steps_left

CODE = "incident.platform_check"
BACK = "incident.platform_check.back"
OPEN = [IncidentStatus.NEW, IncidentStatus.INVESTIGATING, IncidentStatus.WAITING_CUSTOMER,
        IncidentStatus.WAITING_PLATFORM]


def source_key(check_id):
    return f"platform_check:{check_id}"


def _label(invoice):
    return f"{invoice.code}-{invoice.number}" if invoice.code else invoice.number


@transaction.atomic
def platform_check_found_record(*, check_id, seller_id, issued_from, issued_to, missing_ids, mismatch_ids, counts):
    """The check's incident (opened once: the job may run twice), with its invoices and the finding on its timeline.
    Returns the incident."""
    seller = Seller.objects.get(pk=seller_id)
    check = PlatformCheck.objects.get(pk=check_id)
    # The fault began after the seller's last check that found nothing missing: the time from it to this incident
    # is the MTTD of a vanished invoice (the dashboard's figure).
    last_good = (PlatformCheck.objects.filter(seller_id=seller_id, status=RunStatus.DONE,
                                              finished_at__lt=check.started_at or check.created_at,
                                              counts__missing_on_platform=0)
                 .exclude(pk=check_id).order_by("-finished_at").first())
    numbers = dict(Invoice.objects.filter(pk__in=[*missing_ids, *mismatch_ids]).values_list("pk", "number"))
    with translation.override(settings.LANGUAGE_CODE):
        facts = {"seller": seller.name, "f": issued_from, "t": issued_to, "missing": len(missing_ids),
                 "mismatch": len(mismatch_ids), "listed": counts.get("listed", 0), "matched": counts.get("matched", 0),
                 "unknown": counts.get("missing_in_ledger", 0), "pages": counts.get("pages", 0),
                 "missing_list": "、".join(numbers[i] for i in missing_ids) or "—",
                 "mismatch_list": "、".join(numbers[i] for i in mismatch_ids) or "—"}
        incident, created = open_incident_for_source(
            source_key=source_key(check_id),
            title=_("Platform check of %(seller)s (%(f)s to %(t)s): %(missing)d missing, %(mismatch)d differing") % facts,
            category=IncidentCategory.PLATFORM_CHECK, kind=IncidentKind.FAULT,
            severity=Severity.SEV2 if missing_ids else Severity.SEV3, seller=seller,
            fault_started_at=last_good.finished_at if last_good else None,
            invoices=[*missing_ids, *mismatch_ids],
            description=_(
                "The scheduled comparison of the ledger with the tax platform's invoice listing for %(seller)s, "
                "invoices issued %(f)s to %(t)s, read %(listed)d invoices in %(pages)d page(s); %(matched)d agree "
                "with the ledger.\n\n"
                "Missing on the platform (the ledger had them as synced): %(missing)d, uploaded again at once: "
                "%(missing_list)s.\n"
                "Held otherwise by the platform (amount, status or buyer; marked mismatch, not changed): "
                "%(mismatch)d: %(mismatch_list)s.\n"
                "On the platform but not in the ledger (for 补录 review in 平台核对): %(unknown)d.\n\n"
                "Each invoice the platform has again is ticked off on the timeline; the incident resolves itself "
                "when all are back and none differs.") % facts,
        )
    if created or not IncidentEvent.objects.filter(incident=incident, message_code=CODE).exists():
        event_record(incident=incident, kind=EventKind.SYNC, code=CODE,
                     params={"f": issued_from, "t": issued_to, "missing": len(missing_ids),
                             "mismatch": len(mismatch_ids)},
                     data={"check_id": check_id, "missing_ids": list(missing_ids),
                           "mismatch_ids": list(mismatch_ids), "counts": counts})
    platform_check_incident_set(check_id=check_id, incident_number=incident.reference)
    # A re-upload may have gone through before this job ran (its job was queued first): tick those off now.
    for invoice in Invoice.objects.filter(pk__in=missing_ids, sync_status=SyncStatus.SYNCED).order_by("pk"):
        _tick(incident, invoice)
    if missing_ids:
        _resolve_if_all_back(incident)
    return incident


def _finding(incident):
    return IncidentEvent.objects.filter(incident=incident, message_code=CODE).order_by("id").first()


@transaction.atomic
def invoice_back_on_platform_record(*, invoice_id, platform_id="", at=None):
    """Tick the invoice off on every open check incident holding it as missing; resolve those that have all back.
    Returns the incidents ticked."""
    invoice = Invoice.objects.get(pk=invoice_id)
    ticked = []
    for incident in _holding(invoice_id):
        incident = lock_incident(incident)
        if _tick(incident, invoice, platform_id):
            ticked.append(incident)
            _resolve_if_all_back(incident)
    return ticked


def _tick(incident, invoice, platform_id=""):
    """The invoice back on the incident's timeline, once. Returns whether it was ticked now."""
    if incident.status not in OPEN or IncidentEvent.objects.filter(
            incident=incident, message_code=BACK, data__invoice_id=invoice.pk).exists():
        return False
    missing = _finding(incident).data["missing_ids"]
    left = len([i for i in missing if i not in _back(incident) | {invoice.pk}])
    event_record(incident=incident, kind=EventKind.SYNC, code=BACK, params={"n": _label(invoice), "left": left},
                 data={"invoice_id": invoice.pk, "platform_id": platform_id})
    return True


def _back(incident):
    return set(IncidentEvent.objects.filter(incident=incident, message_code=BACK)
               .values_list("data__invoice_id", flat=True))


def _resolve_if_all_back(incident):
    finding = _finding(incident)
    missing, mismatched = finding.data["missing_ids"], finding.data["mismatch_ids"]
    differing = Invoice.objects.filter(pk__in=mismatched).exclude(sync_status=SyncStatus.SYNCED).exists()
    if incident.status in OPEN and not differing and set(missing) <= _back(incident):
        _resolve(incident, len(missing))


def _holding(invoice_id):
    """The open check incidents holding the invoice as missing (its invoices, then the finding's list)."""
    for incident in Incident.objects.filter(category=IncidentCategory.PLATFORM_CHECK, status__in=OPEN,
                                            invoices=invoice_id).order_by("id"):
        finding = _finding(incident)
        if finding is not None and invoice_id in finding.data.get("missing_ids", []):
            yield incident


def _close_checklist(incident):
    """Resolving needs every checklist step done or skipped with a reason: nobody worked this incident, so each
    open step is marked skipped by the system, saying so, for the reviewer to check at sign-off."""
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("Resolved automatically by the platform check: every invoice is listed by the platform again. "
                   "Check this step when signing off.")
    now = timezone.now()
    for step in steps_left(incident):
        step.done_at, step.done_by, step.skip_reason = now, None, reason
        step.save(update_fields=["done_at", "done_by", "skip_reason"])
        event_record(incident=incident, kind=EventKind.STEP_DONE, actor=None, code="incident.step.skipped",
                     params={"n": step.position, "title": step.title, "reason": reason},
                     data={"step_id": step.pk, "position": step.position, "skipped": True})


def _resolve(incident, missing):
    with translation.override(settings.LANGUAGE_CODE):
        root_cause = _("The tax platform no longer listed %(n)d invoice(s) it had accepted; the platform check found "
                       "them before any customer did.") % {"n": missing}
        resolution = _("Every invoice was uploaded again by the platform check and the platform lists it again "
                       "(ticked off on the timeline). Resolved automatically; sign it off after checking.")
    category = (RootCauseCategory.objects.filter(code="platform_fault", active=True).first()
                or RootCauseCategory.objects.filter(active=True).order_by("position", "id").first())
    _close_checklist(incident)
    incident_transition(incident=incident, to=IncidentStatus.RESOLVED, actor=None, root_cause=root_cause,
                        resolution=resolution, root_cause_category=category)
    event_record(incident=incident, kind=EventKind.SYNC, code="incident.platform_check.resolved")
