"""What every channel adapter repeats, written once.

* `SecretField` / `SecretsForm`: write-only secrets in admin forms (secret_field.py).
* `InboxSupervisor`: a worker thread per enabled inbox, reconciled with the
  database, restarted with backoff (supervisor.py); `run_until_stopped` runs an
  asyncio session in such a worker.

`Contact.resolve()` (helpdesk.models) follows merges for every channel.
"""

from __future__ import annotations

from helpdesk.channel_kit.secret_field import SecretField, SecretInput, SecretsForm
from helpdesk.channel_kit.supervisor import InboxSupervisor, run_until_stopped

__all__ = ["InboxSupervisor", "SecretField", "SecretInput", "SecretsForm", "run_until_stopped"]
