"""Incident desk models, one module per concern. Import from `incidents.models`."""
from .calendar import CalendarDay, CalendarDayKind, SlaTarget, WorkCalendar
from .communication import (
    Channel,
    Communication,
    CommunicationDirection,
    CommunicationPurpose,
    CommunicationTemplate,
    DeliveryStatus,
    TemplatePurpose,
)
from .followup import FollowUp, FollowUpKind, FollowUpPriority, FollowUpStatus
from .incident import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Incident,
    IncidentCategory,
    IncidentKind,
    IncidentSequence,
    IncidentStatus,
    OpenedVia,
    Severity,
)
from .playbook import IncidentStep, Playbook, PlaybookStep
from .report import Report, ReportKind
from .root_cause import RootCauseCategory
from .satisfaction import SatisfactionAnswer
from .staff_email import StaffEmail, StaffEmailPurpose
from .team import Team
from .timeline import EventKind, IncidentEvent

__all__ = [
    "CLOSED_STATUSES", "OPEN_STATUSES", "CalendarDay", "CalendarDayKind", "Channel", "Communication",
    "CommunicationDirection", "CommunicationPurpose", "CommunicationTemplate", "DeliveryStatus", "EventKind", "FollowUp",
    "FollowUpKind", "FollowUpPriority", "FollowUpStatus", "Incident", "IncidentCategory", "IncidentEvent",
    "IncidentKind", "IncidentSequence", "IncidentStatus", "IncidentStep", "OpenedVia", "Playbook", "PlaybookStep",
    "Report", "ReportKind", "RootCauseCategory", "SatisfactionAnswer", "Severity", "SlaTarget", "StaffEmail", "StaffEmailPurpose",
    "Team", "TemplatePurpose", "WorkCalendar",
]
