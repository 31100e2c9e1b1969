from django.contrib import admin
from django.urls import path

from sixdegrees.api import api
from sixdegrees.outreach.unsubscribe import unsubscribe_view

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("unsubscribe/<str:token>", unsubscribe_view, name="unsubscribe"),
]
