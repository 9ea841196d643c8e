"""Handlers by stable name. A queued job and a schedule name a handler, never a module path, so moving a module
changes nothing stored. Each app lists its handlers in a `jobs` module, imported when the app registry is ready."""
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable
    area: str
    label: str
    max_attempts: int | None  # None: JOBS_MAX_ATTEMPTS when the job is enqueued
    # Called once, in the transaction that marks the job failed, with its parameters and the last error: the
    # domain's own record of the failure (a reissue request shown as failed with its reason).
    on_give_up: Callable | None
    guarantee: str
    # What the job is about in the reader's words (发票 261100…), from its parameters; never raises.
    describe: Callable | None = None


_REGISTRY: dict[str, JobSpec] = {}


class UnknownJob(LookupError):
    pass


def job(name, *, label, area="system", max_attempts=None, on_give_up=None, guarantee="", describe=None):
    """Register the decorated function as the handler of `name`. Handlers take keyword parameters (plain JSON
    values: ids, strings), are idempotent and safe to run twice: a lease can lapse while a slow attempt still runs."""

    def register(func):
        existing = _REGISTRY.get(name)
        if existing is not None and existing.func.__qualname__ != func.__qualname__:
            raise ValueError(f"job name {name!r} is registered twice")
        _REGISTRY[name] = JobSpec(
            name=name, func=func, area=area, label=label,
            max_attempts=max_attempts, on_give_up=on_give_up,
            guarantee=guarantee or (func.__doc__ or "").strip().split("\n")[0], describe=describe,
        )
        return func

    return register


def get_spec(name) -> JobSpec:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownJob(name) from None


def registered():
    return dict(sorted(_REGISTRY.items()))


def label_of(name):
    spec = _REGISTRY.get(name)
    return spec.label if spec else name


def describe(name, params):
    spec = _REGISTRY.get(name)
    if spec is None or spec.describe is None:
        return ""
    try:
        return str(spec.describe(**params))
    except Exception:
        return ""
