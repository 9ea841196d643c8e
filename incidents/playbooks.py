"""Default troubleshooting steps per category, from the domain's order of work (DESIGN.md): check the
input → check the platform → re-send the sync → compare with the platform export → repair → inform the
customer → review. Used by the demo seed; managers edit the playbooks in the admin afterwards."""
from django.utils.translation import gettext_lazy as _

from .models import IncidentCategory as C

CHECK_INPUT = (_("Check the input: invoice number, date, buyer name and tax id"),
               _("Compare what the customer reads out with the ledger; a wrong tax id or date explains most cases."))
CHECK_PLATFORM = (_("Check the platform's state (maintenance, outage)"),
                  _("Look at the platform notices and the sync log for the time of issue."))
RESEND = (_("Re-send the sync request"), _("Use 'sync' on the invoice; note the platform's answer code."))
COMPARE = (_("Compare with the platform export"),
           _("Download the platform export for the period and compare item by item."))
REPAIR = (_("Repair: re-sync, re-deliver, manual entry or reissue"),
          _("Red-flush and reissue only when the data itself was wrong; finance approves."))
INFORM = (_("Inform the customer"), _("Use a template; log the call or email on this incident."))
REVIEW = (_("Review and prevent"), _("Write the root cause and what prevents it next time."))

CHECK_CREDIT = (_("Check the seller's credit limit on the tax platform"),
                _("The platform's answer on each refused invoice gives the credit left; the home page and the credit "
                  "limits list show every seller's latest reading."))
RAISE_CREDIT = (_("Ask the tax bureau to raise the credit limit"),
                _("Apply for a higher limit through the electronic tax bureau; note the request and the bureau's "
                  "answer on this incident."))
RESEND_REFUSED = (_("Re-sync the refused invoices"),
                  _("Once the limit is raised, re-sync the attached invoices (or re-sync failed invoices since "
                    "the first refusal); nothing in them needs correcting."))
CHECK_RISK = (_("Read the flag on the electronic tax bureau"),
              _("电子税务局 → 发票风险/异常凭证 处理: why the invoice is flagged (异常凭证 or 疑点发票) and by when the bureau "
                "expects an answer."))
GATHER_EVIDENCE = (_("Gather the evidence of the sale"),
                   _("Contract, delivery or service records and the payment: what the bureau needs to verify (核实) "
                     "the invoice."))
ANSWER_BUREAU = (_("Answer the tax bureau"),
                 _("Submit the explanation (核实) on the electronic tax bureau; note the submission and the bureau's "
                   "decision on this incident. The next reconciliation run shows the platform's new risk level."))

WATCH_REUPLOADS = (_("Watch the re-uploads"),
                   _("The check uploaded every missing invoice again; each one the platform has again is ticked off "
                     "on the timeline. One that fails stays on the sync failures list: re-sync it from there."))
ANSWER_MISMATCHES = (_("Settle the invoices the platform holds otherwise"),
                     _("For each invoice marked mismatch, compare the platform's copy with the ledger: a ledger error "
                       "is corrected by red-flush and reissue, a platform error is taken up with the tax bureau."))
REVIEW_MANUAL_ENTRY = (_("Review the invoices the ledger lacks (补录)"),
                       _("The check lists the platform's invoices missing from the ledger: enter each one (补录) or "
                         "note why it is not ours."))

DEFAULT_STEPS = {
    C.INVOICE_MISSING: [CHECK_INPUT, CHECK_PLATFORM, RESEND, COMPARE, REPAIR, INFORM, REVIEW],
    C.SYNC_FAILURE: [CHECK_PLATFORM, RESEND, COMPARE, REPAIR, INFORM, REVIEW],
    C.PLATFORM_OUTAGE: [CHECK_PLATFORM, (_("Record fault start and recovery times"), ""), RESEND, COMPARE, INFORM,
                        REVIEW],
    C.CREDIT_EXCEEDED: [CHECK_CREDIT, RAISE_CREDIT, RESEND_REFUSED, INFORM, REVIEW],
    C.INVOICE_RISK: [CHECK_RISK, GATHER_EVIDENCE, ANSWER_BUREAU, INFORM, REVIEW],
    C.PLATFORM_CHECK: [WATCH_REUPLOADS, ANSWER_MISMATCHES, REVIEW_MANUAL_ENTRY, INFORM, REVIEW],
    C.DATA_ENTRY_ERROR: [CHECK_INPUT, COMPARE, REPAIR, INFORM, REVIEW],
    C.NETWORK: [(_("Check the connection to the platform"), ""), CHECK_PLATFORM, RESEND, INFORM, REVIEW],
    C.PERMISSION: [(_("Check the issuing account's authorisation on the platform"), ""), RESEND, INFORM, REVIEW],
    C.AUTHENTICITY: [CHECK_INPUT, (_("Verify the invoice on the national verification service"), ""), COMPARE,
                     INFORM, REVIEW],
    C.OTHER: [CHECK_INPUT, CHECK_PLATFORM, INFORM, REVIEW],
}
