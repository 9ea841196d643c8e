"""Reconciling the ledger with the platform's export: read (reader), load (staging), compare (compare),
orchestrate (runner). Domain writes on invoices and discrepancies live in invoices/services/."""
