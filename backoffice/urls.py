from django.contrib import admin
from django.http import HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from backoffice.home import home_state_view, home_view

admin.site.site_header = admin.site.site_title = _("Invoice back office")
admin.site.index_title = _("All functions")

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    # Pages link the icon themselves; this answers the browsers (and pages) that ask /favicon.ico regardless.
    # Resolved per request: in production the static URL comes from the manifest, written by collectstatic.
    path("favicon.ico", lambda request: HttpResponseRedirect(static("backoffice/favicon.svg"))),
    path("i18n/", include("django.conf.urls.i18n")),
    # The role's home page (工作台) answers /admin/ before the stock index; the full model list moves to all/.
    path("admin/", admin.site.admin_view(home_view), name="admin_home"),
    path("admin/home-state/", admin.site.admin_view(home_state_view), name="admin_home_state"),
    path("admin/all/", admin.site.admin_view(admin.site.index), name="admin_all"),
    path("admin/", admin.site.urls),
    path("api/", include("backoffice.api")),
    path("files/", include("invoices.files.urls")),
    path("portal/", include("portal.urls")),
]
