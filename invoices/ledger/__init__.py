"""The ledger: sellers, customers, invoices and their lines, the append-only invoice events, numbers, tax ids,
money, and the rules and services that issue and void invoices. Imports nothing above it (signals.py carries its
facts up)."""
