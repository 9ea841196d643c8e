"""Shared reads of the job list: what the home pages count and link to."""
from .models import Job, JobStatus


def failed_jobs(area):
    return Job.objects.filter(status=JobStatus.FAILED, area=area)
