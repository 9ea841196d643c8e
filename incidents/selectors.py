"""Reads shared by admin, API and dashboard."""
from django.db.models import F, Q

from .models import OPEN_STATUSES


def breached_q(now):
    """Response or resolution target missed (or already late, for incidents still waiting)."""
    return (
        Q(first_response_at__isnull=True, response_due_at__lt=now)
        | Q(first_response_at__gt=F("response_due_at"))
        | Q(resolved_at__isnull=True, resolve_due_at__lt=now, status__in=OPEN_STATUSES)
        | Q(resolved_at__gt=F("resolve_due_at"))
    )
