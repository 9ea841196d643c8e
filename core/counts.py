"""Counts for work queues that stay cheap on millions of rows: never more than `cap` rows are read."""
from dataclasses import dataclass

HOME_COUNT_CAP = 999


@dataclass(frozen=True)
class CappedCount:
    value: int
    more: bool  # there are more than `value` rows; shown as "999+"

    def __str__(self):
        return f"{self.value}+" if self.more else str(self.value)

    def __bool__(self):
        return self.value > 0


def capped_count(queryset, cap=HOME_COUNT_CAP):
    """COUNT over at most cap+1 primary keys (a LIMITed subquery), so an index range scan stops early."""
    n = queryset.order_by()[: cap + 1].count()
    return CappedCount(min(n, cap), n > cap)
