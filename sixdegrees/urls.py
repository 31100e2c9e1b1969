from django.contrib import admin
from django.urls import include, path

from sixdegrees.api import api
from sixdegrees.ops.admin_login import admin_login
from sixdegrees.ops.metrics import metrics_view
from sixdegrees.outreach.unsubscribe import unsubscribe_view

urlpatterns = [
    path("api/", api.urls),
    # Before admin.site.urls, so every password guess passes the throttle first.
    path("admin/login/", admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("metrics", metrics_view, name="metrics"),
    path("unsubscribe/<str:token>", unsubscribe_view, name="unsubscribe"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("sixdegrees.web.urls")),
]

handler404 = "sixdegrees.web.views.page_not_found"
handler500 = "sixdegrees.web.views.server_error"
