"""django-q2 entry point: takes the run id, never the run."""
from .runner import execute, runs_sweep


def reconcile_run(run_id):
    counts = execute(run_id)
    return {"run_id": run_id, "counts": counts}


def sweep():
    return f"re-queued {runs_sweep()}"
