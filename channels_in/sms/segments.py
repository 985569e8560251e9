"""How many SMS segments a text takes, and what it costs (the composer shows the same).

A text made only of the GSM 03.38 alphabet travels 7 bits a character: 160 in
one segment, 153 a part once concatenated (the header takes the rest). Any other
character (Persian, most emoji) makes the whole text UCS-2: 70 in one segment,
67 a part. UCS-2 counts UTF-16 code units, so an emoji outside the BMP counts
two; GSM's extension characters (€, [, ], {, }, ...) take an escape, so two.
static/sms/composer.js implements the same rules for the composer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7 = "gsm7"
UCS2 = "ucs2"
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True, slots=True)
class Count:
    encoding: str  # GSM7 | UCS2
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int

    @property
    def per_segment(self) -> int:
        single, part = LIMITS[self.encoding]
        return single if self.segments <= 1 else part


def count(text: str) -> Count:
    """The encoding, length in its units, and segments of `text` (0 segments when empty)."""
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text):
        encoding = GSM7
        units = sum(2 if c in GSM_EXTENSION else 1 for c in text)
    else:
        encoding = UCS2
        units = len(text.encode("utf-16-le")) // 2
    single, part = LIMITS[encoding]
    if units == 0:
        segments = 0
    elif units <= single:
        segments = 1
    else:
        segments = math.ceil(units / part)
    return Count(encoding, units, segments)


def cost(counted: Count, *, gsm: Decimal, ucs2: Decimal) -> Decimal:
    """The estimated price: segments times the inbox's price of a segment of that encoding."""
    return counted.segments * (ucs2 if counted.encoding == UCS2 else gsm)
