"""Audit history (django-simple-history) shared by the apps: who is recorded as the acting user, and the
set-based history insert for services that change many rows with one UPDATE.

Which user a history row names, first match wins:
1. `instance._history_user` (simple-history's own hook, set by SimpleHistoryAdmin.save_model);
2. the actor a service was given, while it runs inside `acting_as(actor)` (tasks, commands, signal receivers
   that know who started the work);
3. the user of the current request (HistoryRequestMiddleware; DRF sets the token user on it once it has
   authenticated the request).
No user (None) means the system itself: a scheduled job or the worker acting on its own."""
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.text import Truncator
from simple_history.utils import get_change_reason_from_object

_actor = ContextVar("history_actor", default=None)

# simple_history's change reason is a CharField(100): a longer reason is shortened visibly (…); the whole text
# stays on the event the change wrote.
CHANGE_REASON_MAX = 100


def change_reason(text):
    return Truncator(str(text)).chars(CHANGE_REASON_MAX)


@contextmanager
def acting_as(user):
    token = _actor.set(user if getattr(user, "pk", None) else None)
    try:
        yield
    finally:
        _actor.reset(token)


def history_user(instance=None, request=None, **kwargs):
    actor = _actor.get()
    if actor is not None:
        return actor
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def insert_history_sql(model, select_ids_sql, *, overrides=None):
    """SQL for one `~` (changed) history row per row of `model` whose id `select_ids_sql` selects, copying the
    row as it will be after an UPDATE that sets `overrides` (column -> SQL expression, e.g. a %(param)s).
    Run it BEFORE that UPDATE when the UPDATE's WHERE stops matching afterwards. Params it needs besides the
    caller's: %(history_now)s, %(history_user)s, %(history_reason)s."""
    overrides = overrides or {}
    history_model = model.history.model
    source_columns = {f.column for f in model._meta.concrete_fields}
    columns, values = [], []
    for field in history_model._meta.concrete_fields:
        column = field.column
        if column in source_columns:
            columns.append(column)
            values.append(overrides.get(column, f"src.{connection.ops.quote_name(column)}"))
    qn = connection.ops.quote_name
    columns += ["history_date", "history_type", "history_user_id", "history_change_reason"]
    values += ["%(history_now)s", "'~'", "%(history_user)s", "%(history_reason)s"]
    return (f"INSERT INTO {qn(history_model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
            f"SELECT {', '.join(values)} FROM {qn(model._meta.db_table)} src WHERE src.id IN ({select_ids_sql})")


def created_history_rows(model, instances):
    """The `+` history rows simple-history's post_save would write for these newly inserted instances, as
    attname → value dicts (backoffice.bulk_insert.insert_rows), for services that insert without save(). Same
    user (the rules above, via simple-history's own lookup), date and change reason as the signal path."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return []
    history_model = model.history.model
    if getattr(history_model, "history_relation", None) is not None or getattr(history_model, "_history_m2m_fields", None):
        raise NotImplementedError(f"{model.__name__}: history with relations or m2m fields is not built here")
    tracked = [f.attname for f in history_model.tracked_fields]
    rows = []
    for obj in instances:
        user = history_model.get_default_history_user(obj)
        row = {name: getattr(obj, name) for name in tracked}
        row.update(history_date=getattr(obj, "_history_date", None) or timezone.now(), history_type="+",
                   history_user_id=getattr(user, "pk", None),
                   history_change_reason=get_change_reason_from_object(obj))
        rows.append(row)
    return rows

