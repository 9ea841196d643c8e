"""Reconciling the ledger with the platform's export. pipeline/ reads (reader, source), loads (raw, staging,
load_*), compares (compare, snapshot) and orchestrates (runner); services/ holds the domain writes: starting a
run, resolving discrepancies, and the sync statuses a run writes back."""
