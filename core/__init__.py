"""The kernel every app stands on: roles and permissions, audit history, the append-only event base, bulk
inserts, sequences, the paginator, admin list and table helpers, API error mapping. It imports no app of the
project."""
