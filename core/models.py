"""The kernel's only table: the job spine's row (core/jobs/models.py)."""
from core.jobs.models import Job, JobArea, JobStatus

__all__ = ["Job", "JobArea", "JobStatus"]
