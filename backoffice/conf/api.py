"""The REST API (DRF) and its OpenAPI schema (drf-spectacular)."""

REST_FRAMEWORK = {
    # Tokens expire (API_TOKEN_LIFETIME_DAYS, conf/security.py; backoffice/tokens.py).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "backoffice.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    # JSON nested deeper than API_JSON_MAX_DEPTH (conf/security.py) is a 400 before decoding.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Invoice back office API",
    "DESCRIPTION": "Invoices, tax-platform sync, incidents and reissues.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the sidecar package so the docs work with no internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind", "status" or "direction"; give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "InvoiceKindEnum": "invoices.ledger.models.InvoiceKind",
        "InvoiceDirectionEnum": "invoices.ledger.models.Direction",
        "InvoiceStatusEnum": "invoices.ledger.models.InvoiceStatus",
        "SyncStatusEnum": "invoices.ledger.models.SyncStatus",
        "InvoiceEventKindEnum": "invoices.ledger.models.InvoiceEventKind",
        "ReissueStatusEnum": "invoices.reissue.models.ReissueStatus",
        "RedLetterFormStatusEnum": "invoices.reissue.models.RedLetterFormStatus",
        "ReconciliationRunStatusEnum": "invoices.reconciliation.models.RunStatus",
        "DiscrepancyKindEnum": "invoices.reconciliation.models.DiscrepancyKind",
        "IncidentKindEnum": "incidents.models.incident.IncidentKind",
        "IncidentStatusEnum": "incidents.models.incident.IncidentStatus",
        "FollowUpStatusEnum": "incidents.models.followup.FollowUpStatus",
        "CommunicationDirectionEnum": "incidents.models.communication.CommunicationDirection",
        "DeliveryStatusEnum": "incidents.models.communication.DeliveryStatus",
        "IncidentEventKindEnum": "incidents.models.timeline.EventKind",
    },
}
