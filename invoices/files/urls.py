from django.urls import path

from invoices.files.views import invoice_file_link

urlpatterns = [
    path("<str:token>/", invoice_file_link, name="invoice-file-link"),
]
