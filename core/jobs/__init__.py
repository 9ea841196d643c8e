"""The job spine: every effect after a commit (a platform call, an email, another app's reaction) is a named,
persisted job. `enqueue_on_commit` writes the job row in the caller's transaction; a django-q2 task runs it once
the transaction commits; a worker claims it with a lease; the sweep takes over lapsed leases and due retries.
docs/jobs.md lists every job and its guarantee."""
from .enqueue import dispatch, dispatch_on_commit, enqueue_on_commit
from .registry import job
from .runner import Permanent

__all__ = ["Permanent", "dispatch", "dispatch_on_commit", "enqueue_on_commit", "job"]
