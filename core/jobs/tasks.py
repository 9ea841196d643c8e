"""The only task paths django-q2 ever stores: queued tasks and schedules name a registered job (core/jobs/registry),
so moving a handler's module needs no data migration."""
from . import runner


def run(job_id):
    return runner.run(job_id)


def run_named(name, params):
    return runner.run_named(name, params)


def run_scheduled(name, params=None):
    return runner.run_scheduled(name, params)


def sweep():
    return runner.sweep()
