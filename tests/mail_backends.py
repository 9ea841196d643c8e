"""An email backend that always fails, to prove the retry-then-failed path without a real SMTP server."""
import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("connection refused by test backend")
