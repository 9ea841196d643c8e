"""django-q2 entry point: takes the run id, never the run."""
from .runner import execute


def reconcile_run(run_id):
    counts = execute(run_id)
    return {"run_id": run_id, "counts": counts}
