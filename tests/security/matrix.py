"""The permission matrix: who gets what from every endpoint of the desk.

tests/security/test_permission_matrix.py walks every URL pattern of config.urls,
every operation of the served OpenAPI document, every WebSocket route and every
action of the agent socket, and compares what each role gets with this table.
A new endpoint without an entry here fails that test: add it, deciding who may
use it. `MATRIX_RECORD=1 pytest tests/security/test_permission_matrix.py -s`
prints what the desk answers today, to review before pasting.

Roles, in the order of every row: anonymous; a logged-in user with no agent
profile; an agent of team B (the "other team"); an agent of team A (the team);
an admin (agent role admin, a superuser). Objects in URLs are team A's.

Outcomes: "ok" (2xx, or a redirect that is not to a login page), "login" (a
redirect to /login/), "admin-login" (to /admin/login/), "no-profile" (403 with
the "no agent profile" page), "no-profile-json" (403 with the JSON detail of
helpdesk.staff.decorators), or the refusal's exact status code (401, 403, 404,
405, 503). A row of `public(...)` expects one outcome for
every role and names the endpoint's own authentication.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ROLES = ("anonymous", "user", "other_agent", "team_agent", "admin")

type Outcome = str | int


@dataclass(frozen=True)
class Row:
    expected: tuple[Outcome, Outcome, Outcome, Outcome, Outcome]
    method: str = "GET"
    body: dict[str, Any] | None = None
    # URL parameter -> key of the fixture's ids, where the parameter's name is ambiguous.
    params: dict[str, str] = field(default_factory=dict)
    auth: str = ""  # a public endpoint's own authentication

    def outcome(self, role: str) -> Outcome:
        return self.expected[ROLES.index(role)]


def row(
    anonymous: Outcome,
    user: Outcome,
    other_agent: Outcome,
    team_agent: Outcome,
    admin: Outcome,
    **options: Any,
) -> Row:
    return Row((anonymous, user, other_agent, team_agent, admin), **options)


def public(outcome: Outcome, auth: str, **options: Any) -> Row:
    """Open to the world; `auth` says what protects it instead of a session."""
    return Row((outcome,) * 5, auth=auth, **options)


# Agent pages: anonymous users go to the login page; a signed-in user without an
# agent profile gets the no-profile page (403) on every one of them, the API's
# 403 JSON and the socket's 4403 being the same refusal; another team's objects
# do not exist for an agent (404).
NO_PROFILE = "no-profile"
AGENT_PAGE = row("login", NO_PROFILE, "ok", "ok", "ok")
TEAM_A_PAGE = row("login", NO_PROFILE, 404, "ok", "ok")


def team_a_post(body: dict[str, Any] | None = None) -> Row:
    """A form post on a team A object, with a valid body: refusals are real ones."""
    return row("login", NO_PROFILE, 404, "ok", "ok", method="POST", body=body or {})


STAFF_ONLY = ("admin-login",) * 4

URLS: dict[str, Row] = {
    # The Django admin: staff only; every page of it is covered by "admin:*".
    "admin:*": row(*STAFF_ONLY, "ok"),
    "admin:login": public("ok", "the login form itself"),
    "admin:logout": row("ok", "ok", "ok", "ok", 405),
    "admin:autocomplete": row(*STAFF_ONLY, 403),
    "admin:view_on_site": row(*STAFF_ONLY, 404),
    "admin:auth_user_password_change": row(*STAFF_ONLY, 404),
    "admin:helpdesk_rule_dry_run": row(*STAFF_ONLY, 404),
    "admin:helpdesk_businesshours_import_holidays": row(*STAFF_ONLY, 404),
    "admin:admin/(?P<url>.*)$": row(*STAFF_ONLY, 404),
}

# Every operation of the OpenAPI document, by operationId. Bodies are valid, so
# "ok" shows access was granted and a refusal is a real one.
API: dict[str, Row] = {}

# WebSocket routes (config.routing), by route.
WEBSOCKETS: dict[str, Row] = {
    # The agent socket: what each role gets is SOCKET_ACTIONS["connect"].
    "ws/agent/": row("closed-4401", "closed-4403", "ok", "ok", "ok", auth="session, Origin"),
    # The chat widget's visitor socket (tests/channels_in/webchat/test_consumer.py).
    "ws/chat/<str:public_key>/": public(
        "ok", "the inbox's public key, Origin allow-list, the conversation's token"
    ),
}

# Agent socket actions, sent on ticket A after connecting as the role. Outcomes:
# "closed-4401" / "closed-4403" (the connection itself is refused), "ok" (the
# action took effect), "error" (an error frame), "filtered" (resume answered
# with none of team A's events).
REFUSED_SOCKET = ("closed-4401", "closed-4403")
SOCKET_ACTIONS: dict[str, Row] = {
    "connect": row(*REFUSED_SOCKET, "ok", "ok", "ok"),
    "presence": row(*REFUSED_SOCKET, "ok", "ok", "ok"),  # the agent's own presence
    "resume": row(*REFUSED_SOCKET, "filtered", "ok", "ok"),
    "watch": row(*REFUSED_SOCKET, "error", "ok", "ok"),
    "unwatch": row(*REFUSED_SOCKET, "ok", "ok", "ok"),  # leaving is always allowed
    "typing": row(*REFUSED_SOCKET, "error", "ok", "ok"),
    "viewing": row(*REFUSED_SOCKET, "error", "ok", "ok"),
}

# A token of a user without an agent profile is refused like the agent pages (403).
NO_PROFILE_API = "no-profile-json"
API_ROW = row(401, NO_PROFILE_API, "ok", "ok", "ok")  # lists: filtered to the caller's teams
API_TEAM_A = row(401, NO_PROFILE_API, 404, "ok", "ok")


def api_write(body: dict[str, Any] | None = None) -> Row:
    return row(401, NO_PROFILE_API, 404, "ok", "ok", body=body or {})


WEBHOOK_ADMIN = row(401, NO_PROFILE_API, 403, 403, "ok")


def webhook_admin(body: dict[str, Any]) -> Row:
    return row(401, NO_PROFILE_API, 403, 403, "ok", body=body)


API.update(
    {
        "helpdesk_api_me_me": API_ROW,
        "helpdesk_api_tickets_list_tickets": API_ROW,
        "helpdesk_api_tickets_get_ticket": API_TEAM_A,
        "helpdesk_api_tickets_get_attachment": API_TEAM_A,
        "helpdesk_api_ticket_actions_reply": api_write({"text": "Hi"}),
        "helpdesk_api_ticket_actions_add_note": api_write({"text": "Note"}),
        "helpdesk_api_ticket_actions_assign": api_write({"assignee_id": "$team_agent_id"}),
        "helpdesk_api_ticket_actions_claim": api_write(),
        "helpdesk_api_ticket_actions_unassign": api_write(),
        "helpdesk_api_ticket_actions_set_status": api_write({"status": "pending"}),
        "helpdesk_api_ticket_actions_set_priority": api_write({"priority": 3}),
        "helpdesk_api_ticket_actions_set_tags": api_write({"tags": ["vip"]}),
        "helpdesk_api_ticket_actions_snooze": api_write({"until": "2099-01-01T00:00:00Z"}),
        # Merging is a supervisor's right: a team agent is refused (403).
        "helpdesk_api_ticket_actions_merge": row(
            401, NO_PROFILE_API, 404, 403, "ok", body={"target_id": "$other_ticket_id"}
        ),
        "helpdesk_api_ticket_actions_retry": api_write(),
        "helpdesk_api_contacts_list_contacts": API_ROW,
        "helpdesk_api_contacts_get_contact": API_TEAM_A,
        "helpdesk_api_contacts_update_contact": api_write({"name": "New name"}),
        "helpdesk_api_contacts_merge_contacts": row(
            401, NO_PROFILE_API, 404, 403, "ok", body={"target_id": "$other_contact_id"}
        ),
        "helpdesk_api_events_list_events": API_ROW,
        "channels_in_phone_api_list_calls": API_ROW,
        "helpdesk_surveys_api_list_responses": API_ROW,  # the caller's teams' answers
        # Reports (issue 18): of the caller's teams (admins: all).
        "helpdesk_reports_api_summary": API_ROW,
        "helpdesk_reports_api_timeseries": API_ROW,
        "helpdesk_reports_api_agents": API_ROW,
        "helpdesk_reports_api_tags": API_ROW,
        "helpdesk_reports_api_churn": API_ROW,
        "channels_in_phone_api_create_call": api_write(
            {"line_id": "$line_id", "number": "09121234567", "direction": "in", "outcome": "missed"}
        ),
        "channels_in_phone_api_submit_call_form": api_write({"notes": "called back"}),
        "knowledge_base_api_search": public("ok", "none: published public articles only"),
        # Work on tickets (issue 19): outbound conversations, split, tasks, referrals.
        "helpdesk_api_ticket_create_create_ticket": api_write(
            {"contact_id": "$contact_id", "channel": "email", "text": "Hello again"}
        ),
        # Splitting is a supervisor's right, like merging.
        "helpdesk_api_ticket_create_split_ticket": row(
            401, NO_PROFILE_API, 404, 403, "ok", body={"message_ids": ["$message_id"]}
        ),
        "helpdesk_api_tasks_list_tasks": API_ROW,
        "helpdesk_api_tasks_get_task": API_TEAM_A,
        "helpdesk_api_tasks_create_task": api_write({"title": "Call", "ticket_id": "$ticket_id"}),
        "helpdesk_api_tasks_update_task": api_write({"title": "Call again"}),
        "helpdesk_api_tasks_cancel_task": api_write(),
        "helpdesk_api_tasks_refer_task": api_write({"to_user_id": "$team_agent_id"}),
        "helpdesk_api_tasks_refer_ticket": api_write({"to_user_id": "$team_agent_id"}),
        # Contacts and companies (issue 19): managing is for supervisors and admins.
        "helpdesk_api_contacts_create_contact": row(
            401,
            NO_PROFILE_API,
            403,
            403,
            "ok",
            body={"name": "New", "identities": [{"kind": "email", "address": "new@example.com"}]},
        ),
        # Only a contact without tickets (so no team sees it) can be deleted, by an admin.
        "helpdesk_api_contacts_delete_contact": row(
            401, NO_PROFILE_API, 404, 404, "ok", params={"contact_id": "spare_contact_id"}
        ),
        "helpdesk_api_contacts_set_contact_attributes": api_write(
            {"custom_attributes": {"plan": "gold"}}
        ),
        "helpdesk_api_contacts_add_identity": api_write(
            {"kind": "email", "address": "extra@example.com"}
        ),
        "helpdesk_api_companies_list_companies": API_ROW,
        "helpdesk_api_companies_get_company": API_ROW,
        "helpdesk_api_companies_create_company": row(
            401, NO_PROFILE_API, 403, 403, "ok", body={"name": "New Co"}
        ),
        "helpdesk_api_companies_update_company": row(
            401, NO_PROFILE_API, 403, 403, "ok", body={"name": "Acme 2"}
        ),
        "helpdesk_api_companies_delete_company": row(401, NO_PROFILE_API, 403, 403, "ok"),
        # Segments are readable by every agent; counts and members are of their own contacts.
        "helpdesk_api_segments_list_segments": API_ROW,
        "helpdesk_api_segments_get_segment": API_ROW,
        "helpdesk_api_segments_count_segment": API_ROW,
        "helpdesk_api_segments_segment_members": API_ROW,
        "helpdesk_api_segments_create_segment": row(
            401, NO_PROFILE_API, 403, 403, "ok", body={"name": "VIP", "definition": {"tags": ["v"]}}
        ),
        "helpdesk_api_segments_update_segment": row(
            401, NO_PROFILE_API, 403, 403, "ok", body={"name": "All", "definition": {}}
        ),
        "helpdesk_api_segments_delete_segment": row(401, NO_PROFILE_API, 403, 403, "ok"),
        "helpdesk_api_attributes_list_attributes": API_ROW,
        "helpdesk_api_attributes_create_attribute": row(
            401,
            NO_PROFILE_API,
            403,
            403,
            "ok",
            body={"entity": "contact", "key": "tier", "label": "Tier"},
        ),
        "helpdesk_api_attributes_update_attribute": row(
            401, NO_PROFILE_API, 403, 403, "ok", body={"label": "Order no."}
        ),
        "helpdesk_api_attributes_delete_attribute": row(401, NO_PROFILE_API, 403, 403, "ok"),
        "helpdesk_api_attributes_set_ticket_attributes": api_write(
            {"custom_attributes": {"order": "A-1"}}
        ),
        # Outbound webhooks (issue 21): admins only, with an admin-scope token.
        "helpdesk_outbound_webhooks_api_list_event_types": WEBHOOK_ADMIN,
        "helpdesk_outbound_webhooks_api_list_subscriptions": WEBHOOK_ADMIN,
        "helpdesk_outbound_webhooks_api_create_subscription": webhook_admin(
            {"name": "CRM", "url": "https://crm.example/in", "event_types": ["ticket.created"]}
        ),
        "helpdesk_outbound_webhooks_api_get_subscription": WEBHOOK_ADMIN,
        "helpdesk_outbound_webhooks_api_update_subscription": webhook_admin({"name": "Shop 2"}),
        "helpdesk_outbound_webhooks_api_delete_subscription": row(
            401, NO_PROFILE_API, 403, 403, "ok", params={"subscription_id": "spare_subscription_id"}
        ),
        "helpdesk_outbound_webhooks_api_rotate_secret": webhook_admin({}),
        "helpdesk_outbound_webhooks_api_send_test": webhook_admin({}),
        "helpdesk_outbound_webhooks_api_list_deliveries": WEBHOOK_ADMIN,
        "helpdesk_outbound_webhooks_api_get_delivery": WEBHOOK_ADMIN,
        "helpdesk_outbound_webhooks_api_redeliver": webhook_admin({}),
    }
)

# Read-only models and models created only by the desk: no "add" (nor "delete") page.
for _name in [
    "axes_accessattempt_add",
    "axes_accessfailurelog_add",
    "axes_accesslog_add",
    "channel_email_quarantinedmail_add",
    "channel_phone_call_add",
    "channel_sms_outboundsms_add",
    "channel_webchat_webchatconversation_add",
    "django_tasks_database_dbtaskresult_add",
    "django_tasks_database_dbtaskresult_delete",
    "followups_referral_add",
    "followups_task_add",
    "helpdesk_contact_add",
    "helpdesk_contact_delete",
    "helpdesk_contactimport_add",
    "helpdesk_message_add",
    "helpdesk_message_delete",
    "helpdesk_ticket_add",
    "helpdesk_ticket_delete",
    "helpdesk_ticketevent_add",
    "helpdesk_ticketevent_delete",
    # Notifications are made only by notify(), which checks who may read the ticket.
    "notifications_notification_add",
    # Deliveries are made by the fan-out only (redeliver and send test are actions).
    "outbound_webhooks_delivery_add",
    # Survey requests and answers are the customers' words: read-only (issue 17).
    "surveys_surveyrequest_add",
    "surveys_surveyresponse_add",
]:
    URLS[f"admin:{_name}"] = row(*STAFF_ONLY, 403)

URLS.update(
    {
        # Accounts.
        "login": public("ok", "the login form itself"),
        "favicon": public("ok", "none: a redirect to the static icon"),
        "logout": row("login", "login", "login", "login", "login", method="POST"),
        "password_change": row("login", "ok", "ok", "ok", "ok"),
        # Work on tickets (issue 19): tasks, referral, macros, merge / split, outbound.
        "tasks": AGENT_PAGE,
        # Reports (issue 18): of the caller's teams (admins: all).
        "reports": AGENT_PAGE,
        "reports_tickets": AGENT_PAGE,
        "reports_export": AGENT_PAGE,
        "task_create": row(
            "login", NO_PROFILE, "ok", "ok", "ok", method="POST", body={"title": "x"}
        ),
        "task_quick": team_a_post({"ticket": "$ticket_id"}),
        "task_status": team_a_post({"status": "done"}),
        "task_refer": team_a_post({"to_user": "$team_agent_id"}),
        "ticket_refer": team_a_post({"to_team": "$team_id", "note": "billing"}),
        "ticket_macro": team_a_post({"macro": "$macro_id"}),
        # Merging and splitting are a supervisor's rights (as in the API).
        "ticket_merge": row(
            "login", NO_PROFILE, 404, 403, "ok", method="POST", body={"target": "$other_ticket_id"}
        ),
        "ticket_split": row(
            "login", NO_PROFILE, 404, 403, "ok", method="POST", body={"message": "$message_id"}
        ),
        "conversation_new": AGENT_PAGE,
        "macros": AGENT_PAGE,
        # Only the agent's own macro is deleted; anyone else's id changes nothing.
        "macro_delete": row("login", NO_PROFILE, "ok", "ok", "ok", method="POST", body={}),
        # The inbox.
        "home": AGENT_PAGE,
        "ticket_list": row("login", NO_PROFILE, "ok", "ok", "ok"),
        "inbox_nav": row("login", NO_PROFILE, "ok", "ok", "ok"),
        # Bulk actions skip tickets the agent may not change (and say how many).
        "bulk": row(
            "login",
            NO_PROFILE,
            "ok",
            "ok",
            "ok",
            method="POST",
            body={"op": "claim", "ids": ["$ticket_id"]},
        ),
        "ticket": TEAM_A_PAGE,
        "ticket_timeline": TEAM_A_PAGE,
        "ticket_meta": TEAM_A_PAGE,
        "ticket_reply": team_a_post({"mode": "note", "text": "x"}),
        "ticket_assign": team_a_post({"assignee": "$team_agent_id"}),
        "ticket_status": team_a_post({"status": "pending"}),
        "ticket_priority": team_a_post({"priority": 3}),
        "ticket_tags": team_a_post({"tags": "vip"}),
        "ticket_snooze": team_a_post({"until": "2099-01-01T09:00"}),
        # Surveys (issue 17): any agent of the ticket's team.
        "ticket_resolve_without_survey": team_a_post(),
        "ticket_send_survey": team_a_post(),
        # Moving a ticket to another team is a supervisor's right.
        "ticket_team": row(
            "login", NO_PROFILE, 404, 403, "ok", method="POST", body={"team": "$team_id"}
        ),
        "message_retry": team_a_post(),
        "attachment": TEAM_A_PAGE,
        # Each agent lists the contacts of their own teams (tests/agents/test_contacts_page.py).
        "contacts": row("login", NO_PROFILE, "ok", "ok", "ok"),
        "contact": TEAM_A_PAGE,
        "contact_edit": team_a_post({"name": "New name"}),
        # CRM pages (issue 19): every agent works their own contacts; exports, imports,
        # segments, companies and attribute definitions are managed by supervisors/admins.
        "contact_attributes": team_a_post({"attr_plan": "gold"}),
        "ticket_attributes": team_a_post({"attr_order": "A-1"}),
        "contacts_bulk": row(
            "login",
            NO_PROFILE,
            "ok",
            "ok",
            "ok",
            method="POST",
            body={"op": "tag", "tag": "vip", "ids": ["$contact_id"]},
        ),
        "contacts_export": row("login", NO_PROFILE, 403, 403, "ok"),
        "segments": AGENT_PAGE,
        "segment_save": row(
            "login", NO_PROFILE, 403, 403, "ok", method="POST", body={"name": "S", "tag": "v"}
        ),
        "segment_delete": row("login", NO_PROFILE, 403, 403, "ok", method="POST", body={}),
        "companies": AGENT_PAGE,
        "company": AGENT_PAGE,
        "company_create": row(
            "login", NO_PROFILE, 403, 403, "ok", method="POST", body={"name": "New Co"}
        ),
        "company_edit": row(
            "login", NO_PROFILE, 403, 403, "ok", method="POST", body={"name": "Acme 2"}
        ),
        "attributes": AGENT_PAGE,
        "attribute_delete": row(
            "login",
            NO_PROFILE,
            403,
            403,
            "ok",
            method="POST",
            body={},
            params={"definition_id": "definition_id"},
        ),
        "contacts_import": row("login", NO_PROFILE, 403, 403, "ok"),
        "contacts_import_job": row("login", NO_PROFILE, 403, 403, "ok"),
        "contacts_import_status": row("login", NO_PROFILE, 403, 403, "ok"),
        "contacts_import_rejected": row("login", NO_PROFILE, 403, 403, "ok"),
        "contacts_import_resume": row("login", NO_PROFILE, 403, 403, "ok", method="POST", body={}),
        # Merging contacts is a supervisor's right.
        "contact_merge": row(
            "login", NO_PROFILE, 404, 403, "ok", method="POST", body={"other": "$other_contact_id"}
        ),
        "set_language": row(
            "login", NO_PROFILE, "ok", "ok", "ok", method="POST", body={"language": "fa"}
        ),
        "set_theme": row(
            "login", NO_PROFILE, "ok", "ok", "ok", method="POST", body={"theme": "dark"}
        ),
        "set_presence": row(
            "login", NO_PROFILE, "ok", "ok", "ok", method="POST", body={"presence": "away"}
        ),
        "api_tokens": row("login", NO_PROFILE, "ok", "ok", "ok"),
        # The notification center: each agent sees and marks only their own
        # (tests/agents/test_notifications.py); no notification has this id.
        "notifications": row("login", NO_PROFILE, "ok", "ok", "ok"),
        "notifications_menu": row("login", NO_PROFILE, "ok", "ok", "ok"),
        "notifications_read": row(
            "login", NO_PROFILE, "ok", "ok", "ok", method="POST", body={"all": "1"}
        ),
        "notification_open": row("login", NO_PROFILE, 404, 404, 404),
        "notification_preferences": row("login", NO_PROFILE, "ok", "ok", "ok"),
        # Agents a note may @mention: those who may read the ticket.
        "mention_candidates": TEAM_A_PAGE,
        "revoke_api_token": row("login", NO_PROFILE, 404, "ok", "ok", method="POST"),
        # Mail the demo's SMTP sink caught: agents, in development and demo mode only
        # (the tests run neither, so it is not found; tests/config/test_mail_sink.py).
        "dev_mail": row("login", 404, 404, 404, 404),
        # The phone channel's pages (the call log and its pop-up form).
        "call-log": row("login", NO_PROFILE, "ok", "ok", "ok"),
        "call-log-manual": row("login", NO_PROFILE, "ok", "ok", "ok"),
        # The pop-up's form posts with fetch: the refusal is JSON.
        "call-form": row(
            "login", NO_PROFILE_API, 404, "ok", "ok", method="POST", body={"notes": "x"}
        ),
        # The knowledge base's editor: admins only.
        "kb:manage": row("login", NO_PROFILE, 403, 403, "ok"),  # other agents: not editors
        "kb:manage_new": row("login", NO_PROFILE, 403, 403, "ok"),
        "kb:manage_edit": row("login", NO_PROFILE, 403, 403, "ok"),
        # The public portal.
        "kb:root": public("ok", "none: published public articles only"),
        "kb:sitemap": public("ok", "none: published public articles only"),
        "kb:home": public("ok", "none"),
        "kb:search": public("ok", "none"),
        "kb:category": public("ok", "none", params={"slug": "category_slug"}),
        "kb:article": public("ok", "none"),
        "kb:vote": public("ok", "none: one vote per session", method="POST"),
        # No web-form inbox in this desk: the form says it is unavailable.
        "webform:contact": public(503, "none: rate limits per IP"),
        # The customer portal: its own session, started by a one-time mailed link; desk
        # users have none, so its pages send everyone to its sign-in page ("ok", a
        # redirect that is not the desk's login) and the matrix's tokens are refused.
        "portal:sign_in": public("ok", "none: throttled per identity and per IP"),
        "portal:sign_out": public("ok", "the portal session", method="POST"),
        "portal:link": public(410, "a one-time sign-in link, 15 minutes"),
        "portal:open": public(410, "a signed ticket link from a reply mail"),
        "portal:code": public(400, "a texted code: 5 tries, throttled per IP", method="POST"),
        "portal:home": public("ok", "the portal session (redirect to sign-in)"),
        "portal:new": public("ok", "the portal session (redirect to sign-in)"),
        "portal:ticket": public("ok", "the portal session; other contacts' tickets 404"),
        "portal:status": public("ok", "the portal session; own tickets only", method="POST"),
        "portal:rate": public("ok", "the portal session; own tickets only", method="POST"),
        "portal:file": public("ok", "the portal session; public messages' files only"),
        # The customer's survey page: the signed link is the capability (the matrix's
        # token is another salt's, so it is a friendly 404 for everyone).
        "surveys:page": public(404, "a signed survey link, valid 7 days"),
        # Channels with their own authentication.
        "cti-event": public(
            401, "the line's CTI token in the URL", method="POST", params={"token": "cti_token"}
        ),
        "telegram-webhook": public(403, "X-Telegram-Bot-Api-Secret-Token", method="POST"),
        "sms-inbound": public(403, "the SMS line's webhook secret in the URL", method="POST"),
        "sms-report": public(403, "the SMS line's webhook secret in the URL", method="POST"),
        "bale-webhook": public(
            403, "the bot's webhook secret in the URL (Bale sends no header)", method="POST"
        ),
        # GET is Meta's subscription check (hub.verify_token); every POST is signed.
        "whatsapp-webhook": public(403, "hub.verify_token; X-Hub-Signature-256 on POST"),
        # The composer's template picker; the matrix's ticket is not a WhatsApp one.
        "whatsapp-template": row(
            "login", NO_PROFILE_API, 404, 400, 400, method="POST", body={"template": "1"}
        ),
        "webchat:asset": public("ok", "none: static widget files"),
        "webchat:demo": public("ok", "none: the widget's demo page"),
        "webchat:page": public("ok", "the inbox's public key"),
        "webchat:settings": public("ok", "the inbox's public key, Origin allow-list"),
        "webchat:upload": public(403, "the conversation's token, Origin allow-list", method="POST"),
        "webchat:file": public("ok", "a signed capability URL per attachment"),
        "automation-solved": public("ok", "a signed, expiring link per ticket"),
        # The API's own pages (its operations are in API below).
        "api-v1:openapi-json": public("ok", "none: the schema"),
        "api-v1:openapi-view": public("ok", "none: the schema's docs"),
        "api-v1:api-root": public(404, "none"),
        # The test-only channel (tests/pigeon).
        "pigeon-land": public(405, "test only", method="GET"),
    }
)
