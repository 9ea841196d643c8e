from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = admin.site.site_title = "发票事件后台 · Invoice back office"
admin.site.index_title = "工作台 · Workbench"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("backoffice.api")),
    path("files/", include("invoices.files.urls")),
    path("portal/", include("portal.urls")),
]
