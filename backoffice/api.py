"""The API root: routers of each app, token login, schema and offline docs."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from invoices.api import CustomerViewSet, InvoiceViewSet
from invoices.api_reissue import InvoiceReissueRequestCreate, ReissueRequestViewSet


class TokenLoginView(ObtainAuthToken):
    permission_classes = [AllowAny]


router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("reissue-requests", ReissueRequestViewSet, basename="reissue-request")

urlpatterns = [
    path("v1/auth/token/", TokenLoginView.as_view(), name="api-token"),
    path("v1/invoices/<int:pk>/reissue-requests/", InvoiceReissueRequestCreate.as_view(), name="invoice-reissue"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
