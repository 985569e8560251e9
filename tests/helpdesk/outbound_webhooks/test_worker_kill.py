"""A task worker SIGKILLed in the middle of a POST: the delivery is sent again
(at least once), with the same X-Helpdesk-Delivery id, by the next worker."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from helpdesk.models import Inbox
from helpdesk.outbound_webhooks.delivery import sweep
from helpdesk.outbound_webhooks.models import Delivery
from tests.chaos.processes import DeskProcess, desk_env, wait_until, worker_process
from tests.helpdesk.actions_helpers import open_ticket
from tests.helpdesk.outbound_webhooks.receiver import HOLD, Receiver
from tests.live.base import server_database_url
from tests.redis_server import RedisServer, redis_server

__all__ = ["redis_server"]  # fixtures

pytestmark = [pytest.mark.chaos, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WAIT = 30.0


@pytest.fixture
def worker(redis_server: RedisServer, tmp_path: Path) -> Iterator[DeskProcess]:
    env = desk_env(server_database_url(), redis_server.url, prefix="webhooks")
    env["HELPDESK_WEBHOOK_ALLOWED_HOSTS"] = "127.0.0.1"
    process = worker_process(env, tmp_path / "worker.log")
    try:
        yield process
    finally:
        process.stop()


def test_a_killed_worker_leaves_the_delivery_to_the_next_one_with_the_same_id(
    subscribe: Any, receiver: Receiver, email_inbox_a: Inbox, worker: DeskProcess
) -> None:
    sub, _secret = subscribe(event_types=["ticket.created"])
    receiver.plan = [HOLD]
    open_ticket(email_inbox_a)
    worker.start()
    assert receiver.holding.wait(WAIT), worker.output()
    worker.kill()  # while the worker waits for the receiver's answer
    receiver.release.set()

    held = Delivery.objects.get(subscription=sub)
    assert (held.status, held.attempts) == ("delivering", 1)
    # Time travel past the lease; the scheduler's sweep hands it to a worker again.
    Delivery.objects.filter(pk=held.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert sweep(timezone.now()) == 1
    worker.start()
    wait_until(
        lambda: Delivery.objects.get(pk=held.pk).status == "succeeded", WAIT, "the redelivery"
    )
    done = Delivery.objects.get(pk=held.pk)
    assert done.attempts == 2
    assert [r.headers["x-helpdesk-delivery"] for r in receiver.received] == [
        str(done.delivery_id)
    ] * 2
    assert receiver.received[0].body == receiver.received[1].body
    assert worker.alive()
