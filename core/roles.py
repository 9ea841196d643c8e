"""The three staff roles and exactly what each may do. Data migrations call `grant_role_permissions`
so that every environment gets the same groups; users are put in groups by the demo command or an admin."""
from django.utils.translation import gettext_lazy as _

CUSTOMER_SERVICE = "客服"
MANAGER = "经理"
FINANCE = "财务"

ROLE_LABELS = {
    CUSTOMER_SERVICE: _("customer service"),
    MANAGER: _("manager"),
    FINANCE: _("finance"),
}

# app_label -> role -> codenames. Customer service reads invoices but never changes them; finance changes
# invoices only through service-backed screens (issue, sync, reissue, reconcile); managers read everything.
ROLE_PERMISSIONS = {
    # The job list (作业): finance retries the invoice side's failed jobs, managers the incident side's.
    "core": {
        FINANCE: ["view_job", "retry_invoice_job"],
        MANAGER: ["view_job", "retry_incident_job"],
    },
    "invoices": {
        CUSTOMER_SERVICE: [
            "view_invoice", "view_invoiceline", "view_invoiceevent", "view_seller",
            "view_customer", "add_customer", "change_customer",
            "view_reissuerequest", "view_redletterform", "view_syncattempt",
            "verify_invoice", "import_customers",
        ],
        FINANCE: [
            "view_invoice", "view_invoiceline", "view_invoiceevent", "view_seller",
            "view_customer", "add_customer", "change_customer",
            "add_invoice", "sync_invoice", "reissue_invoice", "approve_reissue", "reconcile_invoices",
            "view_reissuerequest", "view_redletterform", "view_syncattempt",
            "view_platforminvoice", "view_platformsettings", "change_platformsettings", "view_creditreading",
            "view_platformredletterform", "view_platformcredit", "add_platformcredit", "change_platformcredit",
            "verify_invoice", "import_customers", "import_invoices",
            "view_reconciliationrun", "add_reconciliationrun", "view_discrepancy",
            "view_platformcheck", "view_platformcheckfinding",
        ],
        MANAGER: [
            "view_invoice", "view_invoiceline", "view_invoiceevent", "view_seller", "view_customer",
            "view_reissuerequest", "view_redletterform", "view_syncattempt", "view_platforminvoice",
            "view_creditreading", "view_platformredletterform", "view_reconciliationrun", "view_discrepancy",
            "view_platformcheck", "view_platformcheckfinding",
            # Audit history (read-only; nobody holds change/delete on history models).
            "view_historicalcustomer", "view_historicalinvoice", "view_historicalreissuerequest",
        ],
    },
    # Incident desk. The final sets, as granted by incidents/migrations/0002_role_permissions:
    #   客服 reps: open and work incidents (their own or unowned ones, see incidents/access.py), add timeline
    #     notes, tick checklist steps, log/send communications, create and complete their own follow-ups;
    #     read playbooks, templates, calendars and SLA targets.
    #   经理 managers: view everything; change any incident (work_any_incident), sign off reviews
    #     (review_incident), assign and reassign follow-ups (assign_followup); add notes; edit playbooks,
    #     templates, work calendars and SLA targets.
    #   Teams (incidents/access.py): reps see only their team's incidents and follow-ups; managers and finance
    #     hold view_every_team. Only managers see the audit history (view_historical*).
    #   财务 finance: view incidents, their timelines, communications and follow-ups, and add timeline notes,
    #     since finance re-syncs and reissues from an incident and records what it did there.
    "incidents": {
        CUSTOMER_SERVICE: [
            "view_incident", "add_incident", "change_incident",
            "view_incidentevent", "add_incidentevent", "view_incidentstep",
            "view_communication", "add_communication",
            "view_followup", "add_followup", "change_followup",
            "view_playbook", "view_playbookstep", "view_communicationtemplate",
            "view_workcalendar", "view_calendarday", "view_slatarget",
            "view_rootcausecategory",
        ],
        MANAGER: [
            "view_incident", "change_incident", "review_incident", "work_any_incident",
            "view_incidentevent", "add_incidentevent", "view_incidentstep",
            "view_communication",
            "view_followup", "add_followup", "change_followup", "assign_followup",
            "view_playbook", "add_playbook", "change_playbook",
            "view_playbookstep", "add_playbookstep", "change_playbookstep", "delete_playbookstep",
            "view_communicationtemplate", "add_communicationtemplate", "change_communicationtemplate",
            "view_workcalendar", "add_workcalendar", "change_workcalendar",
            "view_calendarday", "add_calendarday", "change_calendarday", "delete_calendarday",
            "view_slatarget", "add_slatarget", "change_slatarget",
            "view_every_team", "view_team", "add_team", "change_team",
            "view_historicalincident", "view_historicalfollowup",
            "view_satisfactionanswer",
            # Management reporting (issue 20): the root-cause list and the periodic reports.
            "view_rootcausecategory", "add_rootcausecategory", "change_rootcausecategory", "view_report",
            # The one mail path: emails to staff with their delivery state (a failed one is retried on its job).
            "view_staffemail",
        ],
        FINANCE: [
            "view_incident", "view_incidentevent", "add_incidentevent", "view_incidentstep",
            "view_communication", "view_followup", "view_every_team",
        ],
    },
}


def grant_role_permissions(apps, app_label, role_permissions=None):
    """Create the groups if needed and give them the listed permissions of one app that exist so far.

    Each migration that adds models calls this again, so a role's grant catches up as models appear;
    tests/backoffice/test_setup.py checks that after all migrations every group holds exactly ROLE_PERMISSIONS."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    app_config = apps.get_app_config(app_label)
    # Migration state app configs have no models_module; the creators skip such apps unless told otherwise.
    app_config.models_module = True
    try:
        create_contenttypes(app_config, apps=apps, verbosity=0)
        create_permissions(app_config, apps=apps, verbosity=0)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in (role_permissions or ROLE_PERMISSIONS[app_label]).items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
