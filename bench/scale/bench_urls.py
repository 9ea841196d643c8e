"""URLs of the bench server only (never the site's): the project's URLs plus the bare reference views."""
from django.http import JsonResponse
from django.urls import path

from backoffice.urls import urlpatterns as site_urlpatterns
from invoices.ledger.models import Invoice

FIELDS = ["id", "kind", "direction", "code", "number", "issued_at", "seller_id", "seller__name", "buyer_id",
          "buyer_name", "buyer_tax_id", "amount", "tax_amount", "total", "status", "sync_status", "original_id"]


def bare_invoices(request):
    """The reference: the same lookup as the API with values(), no auth, no serializer, no pagination class."""
    qs = Invoice.objects.order_by("-id")
    if number := request.GET.get("number"):
        qs = qs.filter(number=number)
    size = min(int(request.GET.get("page_size", 50)), 200)
    return JsonResponse({"results": list(qs.values(*FIELDS)[:size])})


urlpatterns = [path("bench/bare-invoices/", bare_invoices)] + site_urlpatterns
