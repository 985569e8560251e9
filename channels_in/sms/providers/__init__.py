"""SMS providers behind one interface (base.Provider): Kavenegar and a generic HTTP gateway."""

from __future__ import annotations

from typing import TYPE_CHECKING

from channels_in.sms.providers.base import Provider

if TYPE_CHECKING:
    from channels_in.sms.models import SmsConfig


def provider_for(config: SmsConfig) -> Provider:
    """The provider an inbox's configuration names."""
    from channels_in.sms.models import Provider as Kind
    from channels_in.sms.providers.generic import GenericGateway
    from channels_in.sms.providers.kavenegar import Kavenegar

    if config.provider == Kind.KAVENEGAR:
        return Kavenegar(config)
    return GenericGateway(config)
