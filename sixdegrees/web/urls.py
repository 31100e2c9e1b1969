from django.urls import path

from sixdegrees.web import account, network, views

app_name = "web"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("intake", views.intake, name="intake"),
    path("dashboard", views.dashboard, name="dashboard"),
    path("dashboard/live", views.dashboard_live, name="dashboard_live"),
    path("network", network.page, name="network"),
    path("network/list", network.list_part, name="network_list"),
    path("language", views.language, name="language"),
    path("privacy", views.privacy, name="privacy"),
    # Browsers ask for /favicon.ico on pages that name no icon (JSON, the API docs).
    path("favicon.ico", views.favicon),
    path("contact", views.contact, name="contact"),
    path("signin", account.signin, name="signin"),
    path("signin/link/<str:token>", account.signin_link, name="signin_link"),
    path("signout", account.signout, name="signout"),
    path("settings/profile", account.save_profile, name="settings_profile"),
    path("settings/mailbox/connect", account.connect_mailbox, name="mailbox_connect"),
    path("settings/mailbox/test", account.test_mailbox, name="mailbox_test"),
    path("settings/mailbox/disconnect", account.disconnect_mailbox, name="mailbox_disconnect"),
    path("settings/export", account.export, name="export"),
    path("settings/delete", account.delete, name="delete_account"),
]
