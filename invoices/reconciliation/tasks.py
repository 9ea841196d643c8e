"""django-q2 entry points: they take the run id (and the chunk's phase and position), never the run. Each task
is one bounded chunk (RECONCILIATION_CHUNK_ROWS rows), so the cluster's timeout, smaller than its retry,
applies to every one of them; a redelivered task is a no-op (see runner.run_chunk)."""
from invoices.reconciliation.models import RunPhase
from invoices.reconciliation.pipeline import runner


def reconcile_run(run_id):
    """The first task, queued by the upload: claims the run and does its first chunk."""
    if not runner.claim(run_id):
        return {"run_id": run_id, "next": None}
    return reconcile_chunk(run_id, RunPhase.LOAD.value, 0)


def reconcile_chunk(run_id, phase, position):
    step = runner.run_chunk(run_id, phase, position)
    return {"run_id": run_id, "phase": phase, "position": position, "next": list(step) if step else None}


def sweep():
    return f"re-queued {runner.runs_sweep()}"
