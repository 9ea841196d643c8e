"""The completion job of an approved request: queued once per request (by its key), nudged by a person's 重试,
and judged stalled when no worker will finish it by itself."""
from django.utils import timezone
from django.utils.translation import gettext as _

from core.jobs import enqueue_on_commit
from core.jobs.enqueue import hand_over_on_commit
from core.jobs.models import ACTIVE_STATUSES, Job, JobStatus
from invoices.reissue.models import RedLetterFormStatus, ReissueStatus

COMPLETE_JOB = "reissue.complete"


def completion_key(request_id):
    return f"reissue-{request_id}"


def queue_completion(req, actor):
    """Inside the caller's transaction: the completion job, or a nudge of the one still queued for this request."""
    active = Job.objects.filter(name=COMPLETE_JOB, key=completion_key(req.pk), status__in=ACTIVE_STATUSES).first()
    if active is None:
        return enqueue_on_commit(COMPLETE_JOB, key=completion_key(req.pk), request_id=req.pk,
                                 actor_id=getattr(actor, "pk", None))
    if active.status == JobStatus.QUEUED or (active.lease_until and active.lease_until < timezone.now()):
        hand_over_on_commit(active.pk)  # a person's 重试 need not wait for the sweep
    return active


def completion_job(req):
    return Job.objects.filter(name=COMPLETE_JOB, key=completion_key(req.pk)).order_by("-id").first()


def completion_stalled(req, now=None):
    """Approved, not waiting for the buyer, and no worker will pick it up by itself: its job gave up, or its lease
    lapsed (the sweep would hand it over; a person need not wait for that)."""
    if req.status != ReissueStatus.APPROVED:
        return False
    form = req.red_letter_form
    if form is not None and not form.usable and form.status == RedLetterFormStatus.SELLER_ENTERED:
        return False
    job = completion_job(req)
    if job is None or job.status not in ACTIVE_STATUSES:
        return True
    return job.status == JobStatus.RUNNING and job.lease_until is not None and job.lease_until < (now or timezone.now())


def completion_progress(req, now=None):
    """Where the completion job stands, in finance's words: running, waiting to retry (when and why), given up,
    stalled. Empty when there is nothing to say (not approved yet, or finished)."""
    if req.status != ReissueStatus.APPROVED:
        return ""
    now = now or timezone.now()
    form = req.red_letter_form
    if form is not None and not form.usable and form.status == RedLetterFormStatus.SELLER_ENTERED:
        if form.lapses_at is None:
            return _("Waiting for the buyer to confirm red-letter form %(n)s.") % {"n": form.number}
        return _("Waiting for the buyer to confirm red-letter form %(n)s in their 税务数字账户 by %(t)s; the form "
                 "lapses then.") % {"n": form.number, "t": timezone.localtime(form.lapses_at).strftime("%Y-%m-%d %H:%M")}
    job = completion_job(req)
    if job is None or completion_stalled(req, now):
        return _("Nothing is finishing this request (its background job stopped); press Retry.")
    if job.status == JobStatus.RUNNING:
        return _("Being completed now (attempt %(a)d of %(m)d).") % {"a": job.attempts, "m": job.max_attempts}
    if job.attempts:
        return _("Attempt %(a)d of %(m)d failed; next try at %(t)s. Last error: %(e)s") % {
            "a": job.attempts, "m": job.max_attempts, "e": job.last_error,
            "t": timezone.localtime(job.next_try_at).strftime("%Y-%m-%d %H:%M:%S")}
    return _("Queued for completion.")
