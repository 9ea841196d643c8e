"""A datetime column as POSIX seconds (float), computed by the database: cheap to read in bulk."""
from django.db.models import FloatField, Func


class EpochSeconds(Func):
    output_field = FloatField()
    arity = 1

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)::float8", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores UTC text on SQLite; julianday reads it but carries float noise of ~10 µs, so round to ms.
        return self.as_sql(compiler, connection,
                           template="ROUND((julianday(%(expressions)s) - 2440587.5) * 86400.0, 3)", **extra)

    def as_sql(self, compiler, connection, **extra):
        if connection.vendor not in ("postgresql", "sqlite") and "template" not in extra:
            raise NotImplementedError("EpochSeconds supports PostgreSQL and SQLite.")
        return super().as_sql(compiler, connection, **extra)
