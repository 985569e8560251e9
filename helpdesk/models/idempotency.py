from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models

KEEP_FOR = timedelta(hours=24)


class IdempotentRequest(models.Model):
    """A POST of the JSON API made with an `Idempotency-Key`, and the response it got.

    Keys are per API token and kept 24 hours (helpdesk.api.idempotency): a retry
    with the same key and body gets the stored response instead of acting twice.
    """

    token = models.ForeignKey("helpdesk.ApiToken", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="idempotency_key_per_token")
        ]

    def __str__(self) -> str:
        return f"{self.token_id}:{self.key}"

    @classmethod
    def forget_expired(cls, now: datetime) -> int:
        """Delete keys older than KEEP_FOR (the scheduler's minute job)."""
        deleted, _ = cls.objects.filter(created_at__lt=now - KEEP_FOR).delete()
        return deleted
