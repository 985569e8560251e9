"""Message files in the inbox: served through a permission check, never from /media/."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.inbound import InboundAttachment
from helpdesk.ingest import receive
from helpdesk.models import Attachment
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.embedded]

FILES = (
    InboundAttachment("رسید.pdf", "application/pdf", b"%PDF-1.4 receipt"),
    InboundAttachment("photo.png", "image/png", b"\x89PNG photo"),
    InboundAttachment("page.html", "text/html", b"<script>alert(1)</script>"),
)


@pytest.fixture
def files(email_inbox_a: Any) -> dict[str, Attachment]:
    message = receive(factories.inbound(email_inbox_a, attachments=FILES)).message
    return {a.name: a for a in message.attachments.all()}


def test_the_timeline_links_files_through_the_desk(
    login: Any, agent_a: Any, files: dict[str, Attachment]
) -> None:
    ticket_id = files["photo.png"].message.ticket_id
    body = login(agent_a).get(f"/t/{ticket_id}/").content.decode()
    assert f'src="/files/{files["photo.png"].pk}/"' in body
    assert f'href="/files/{files["رسید.pdf"].pk}/"' in body
    assert "/media/" not in body


def test_an_agent_of_the_team_downloads_them_safely(
    login: Any, agent_a: Any, files: dict[str, Attachment]
) -> None:
    client = login(agent_a)
    pdf = client.get(f"/files/{files['رسید.pdf'].pk}/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == b"%PDF-1.4 receipt"
    assert pdf["Content-Disposition"].startswith("attachment;")
    image = client.get(f"/files/{files['photo.png'].pk}/")
    assert image["Content-Type"] == "image/png" and image["Content-Disposition"].startswith(
        "inline"
    )
    page = client.get(f"/files/{files['page.html'].pk}/")
    assert page["Content-Type"] == "application/octet-stream"
    assert page["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in page["Content-Security-Policy"]
    assert page["X-Content-Type-Options"] == "nosniff"


def test_others_are_refused(
    client: Any, login: Any, agent_b: Any, files: dict[str, Attachment]
) -> None:
    url = f"/files/{files['رسید.pdf'].pk}/"
    assert login(agent_b).get(url).status_code == 404  # another team: no existence leak
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    assert login(agent_b).get("/files/987654/").status_code == 404
