"""Every domain write on the ledger: customers, issuing and voiding, the event record. Admin, API, tasks,
commands and imports call these modules."""
