from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from agents.views import account, contact, inbox, surveys, ticket

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
    path("", inbox.home, name="home"),
    path("inbox/list/", inbox.ticket_list, name="ticket_list"),
    path("inbox/nav/", inbox.counts, name="inbox_nav"),
    path("inbox/bulk/", account.bulk, name="bulk"),
    path("t/<int:ticket_id>/", ticket.detail, name="ticket"),
    path("t/<int:ticket_id>/timeline/", ticket.timeline_fragment, name="ticket_timeline"),
    path("t/<int:ticket_id>/meta/", ticket.meta_fragment, name="ticket_meta"),
    path("t/<int:ticket_id>/reply/", ticket.reply, name="ticket_reply"),
    path("t/<int:ticket_id>/assign/", ticket.assign, name="ticket_assign"),
    path("t/<int:ticket_id>/status/", ticket.set_status, name="ticket_status"),
    path("t/<int:ticket_id>/priority/", ticket.set_priority, name="ticket_priority"),
    path("t/<int:ticket_id>/tags/", ticket.set_tags, name="ticket_tags"),
    path("t/<int:ticket_id>/team/", ticket.set_team, name="ticket_team"),
    path("t/<int:ticket_id>/snooze/", ticket.snooze, name="ticket_snooze"),
    path(
        "t/<int:ticket_id>/resolve-without-survey/",
        surveys.resolve_without_survey,
        name="ticket_resolve_without_survey",
    ),
    path("t/<int:ticket_id>/survey/", surveys.send_survey_now, name="ticket_send_survey"),
    path("m/<int:message_id>/retry/", ticket.retry, name="message_retry"),
    path("files/<int:attachment_id>/", ticket.attachment, name="attachment"),
    path("contacts/", contact.contact_list, name="contacts"),
    path("c/<int:contact_id>/", contact.sidebar, name="contact"),
    path("c/<int:contact_id>/edit/", contact.edit, name="contact_edit"),
    path("c/<int:contact_id>/merge/", contact.merge, name="contact_merge"),
    path("me/language/", account.set_language, name="set_language"),
    path("me/theme/", account.set_theme, name="set_theme"),
    path("me/presence/", account.set_presence, name="set_presence"),
    path("me/tokens/", account.api_tokens, name="api_tokens"),
    path("me/tokens/<int:token_id>/revoke/", account.revoke_api_token, name="revoke_api_token"),
]
