"""Correcting an issued invoice: reissue requests with a second person approving, red-letter confirmation
forms, the red and replacement invoices, and re-delivery of an unchanged invoice."""
