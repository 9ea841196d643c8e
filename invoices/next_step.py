"""What the invoice page offers to do next, from the invoice's state and what the user may do: re-sync what the
platform does not have (once the tax bureau raised the seller's credit limit, when that is why it was refused), verify
what is pending or in doubt, open the reissue request that is waiting, reissue what differs. The incidents app adds
its own step (open or create an incident) through InvoiceAdmin.next_steps."""
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from invoices.ledger.models import Direction, InvoiceStatus, SyncStatus
from invoices.platform.gateway import CREDIT_EXCEEDED
from invoices.platform.selectors import upload_refusal_code
from invoices.reissue.models import OPEN_REISSUE_STATUSES


@dataclass
class NextStep:
    text: str
    action: str = ""   # "sync" / "verify": a POST button; "link": `url`
    label: str = ""
    url: str = ""
    force: bool = False
    # Which of the page's actions this step offers ("sync", "verify", "reissue", "create_incident", ...): the page
    # shows that action here only, not again in the bar above the panel.
    key: str = ""

    def __post_init__(self):
        self.key = self.key or (self.action if self.action in ("sync", "verify") else "")


def invoice_next_steps(invoice, user):
    if invoice.status in (InvoiceStatus.RED_FLUSHED, InvoiceStatus.VOID):
        return [NextStep(_("This invoice is no longer valid; the chain below shows what replaced it."))]
    steps = []
    can_sync, can_verify = user.has_perm("invoices.sync_invoice"), user.has_perm("invoices.verify_invoice")
    open_request = invoice.reissue_requests.filter(status__in=OPEN_REISSUE_STATUSES).order_by("-id").first()
    if open_request is not None:
        steps.append(NextStep(
            _("A reissue request is %(s)s; follow it there.") % {"s": open_request.get_status_display()},
            "link", _("Open the reissue request"),
            reverse("admin:invoices_reissuerequest_change", args=[open_request.pk]), key="reissue_request"))
    state = invoice.sync_status
    credit_used_up = state == SyncStatus.FAILED and upload_refusal_code(invoice.pk) == CREDIT_EXCEEDED
    if credit_used_up:
        # Nothing is wrong with the invoice: the same upload goes through once the limit is raised.
        if can_sync:
            steps.append(NextStep(_("Credit limit used up: the seller's monthly credit limit on the tax platform "
                                    "is exhausted, so the platform refused this invoice. Ask the tax bureau to "
                                    "raise it, then re-sync."), "sync", _("Re-sync")))
        else:
            steps.append(NextStep(_("Credit limit used up: the seller's monthly credit limit on the tax platform "
                                    "is exhausted, so the platform refused this invoice. Finance re-syncs it once "
                                    "the tax bureau has raised the limit.")))
    elif state in (SyncStatus.NOT_SENT, SyncStatus.FAILED, SyncStatus.MISSING):
        if can_sync:
            steps.append(NextStep(_("The tax platform does not hold this invoice yet: send it again."), "sync",
                                  _("Re-sync"), force=state == SyncStatus.MISSING))
        elif can_verify:
            steps.append(NextStep(_("The tax platform may not hold this invoice: check it, then ask finance to "
                                    "re-sync."), "verify", _("Verify on platform")))
    elif state == SyncStatus.PENDING and can_verify:
        steps.append(NextStep(_("The upload has not been confirmed: ask the platform whether it has the invoice."),
                              "verify", _("Verify on platform")))
    elif state == SyncStatus.MISMATCH:
        if user.has_perm("invoices.reissue_invoice") and invoice.direction == Direction.BLUE and open_request is None:
            steps.append(NextStep(_("The platform's copy differs. If the ledger is wrong, red-flush and reissue; "
                                    "if the platform is, re-sync."), "link", _("Reissue"),
                                  reverse("admin:invoices_invoice_reissue", args=[invoice.pk]), key="reissue"))
        if can_sync:
            steps.append(NextStep(_("Send the ledger's copy to the platform again."), "sync", _("Re-sync"),
                                  force=True))
    elif state == SyncStatus.SYNCED and can_verify:
        steps.append(NextStep(_("The platform confirmed this invoice. If the customer cannot find it, verify it "
                                "now."), "verify", _("Verify on platform")))
    return steps
