"""Background work of the reissue desk: ids in, the service does the work. Safe to run again."""
from invoices.reissue.services.redeliver import invoice_redelivery_send
from invoices.reissue.services.redletter import red_letter_forms_lapse


def send_redelivery(invoice_id, email, actor_id, formats=("pdf",)):
    invoice_redelivery_send(invoice_id=invoice_id, email=email, actor_id=actor_id, formats=formats)


def lapse_red_letter_forms():
    return red_letter_forms_lapse()
