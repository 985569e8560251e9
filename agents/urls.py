from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from agents import views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="agents/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="agents/password_change.html", success_url="/"
        ),
        name="password_change",
    ),
    path("", views.home, name="home"),
]
