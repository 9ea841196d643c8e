"""The API root: routers of each app, token login, schema and offline docs."""
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from backoffice.auth_api import TokenLoginView, TokenRevokeView
from core.jobs.api import JobViewSet
from incidents.api import CommunicationViewSet, FollowUpViewSet, IncidentViewSet, SatisfactionViewSet
from invoices.api import InvoiceViewSet
from invoices.ledger.api import CustomerViewSet
from invoices.reconciliation.api import ReconciliationViewSet
from invoices.reconciliation.api_checks import PlatformCheckViewSet
from invoices.reissue.api import InvoiceReissueRequestCreate, RedLetterFormViewSet, ReissueRequestViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("reconciliations", ReconciliationViewSet, basename="reconciliation")
router.register("platform-checks", PlatformCheckViewSet, basename="platform-check")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("communications", CommunicationViewSet, basename="communication")
router.register("follow-ups", FollowUpViewSet, basename="follow-up")
router.register("satisfaction", SatisfactionViewSet, basename="satisfaction")
router.register("reissue-requests", ReissueRequestViewSet, basename="reissue-request")
router.register("red-letter-forms", RedLetterFormViewSet, basename="red-letter-form")
router.register("jobs", JobViewSet, basename="job")

urlpatterns = [
    path("v1/auth/token/", TokenLoginView.as_view(), name="api-token"),
    path("v1/invoices/<int:pk>/reissue-requests/", InvoiceReissueRequestCreate.as_view(), name="invoice-reissue"),
    path("v1/auth/token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
