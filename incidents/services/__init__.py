"""Every domain write of the incident desk. Admin, API, tasks, receivers and the demo call these.

incidents.py      open, update, attach invoices, status machine, review
timeline.py       the append-only timeline: notes and events, checklist ticks
communications.py logging contacts, sending templated email
mail.py           the one mail path: customer and staff emails recorded, delivered by one job with retries
followups.py      follow-ups: create, assign, complete, reminders and escalation
notify.py         "notify all affected customers"
invoice_facts.py  the invoices app's facts (signals) as incident work: the grouping rules, reissue notice

The pure functions they use are not writes and live beside the package: incidents/sla.py (business-hours
arithmetic, SLA due times) and incidents/rendering.py (safe {placeholder} substitution).
"""

