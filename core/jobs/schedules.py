"""How a django-q2 Schedule names a job: the spine's one task path with the job's registered name (and plain
parameters) as its arguments. `scheduled_job` reads a Schedule back, for the test that every schedule resolves."""
import ast

RUN_SCHEDULED = "core.jobs.tasks.run_scheduled"
SWEEP = "core.jobs.tasks.sweep"


def scheduled_args(name, **params):
    return repr((name, params)) if params else repr((name,))


def scheduled_job(schedule):
    """The job name a schedule runs, or None for the spine's own sweep."""
    if schedule.func == SWEEP:
        return None
    if schedule.func != RUN_SCHEDULED:
        raise ValueError(f"schedule {schedule.name!r} names a module path ({schedule.func}), not a job")
    args = ast.literal_eval(schedule.args or "()")
    args = args if isinstance(args, tuple) else (args,)
    return args[0]
