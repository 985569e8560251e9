"""A lean WebSocket client for bench/fanout.py: many sockets, cheap per frame.

The `websockets` client costs about 40 µs of Python per received frame (a task
woken per socket and frame). At 1,000 sockets one event is 1,000 frames, so the
last socket's frame waited ~40 ms in the *client* before it was timed, on the
same 2 cores as the server. Here each socket is an asyncio Protocol that parses
server frames in `data_received` and hands each text payload on with one
timestamp per read. It offers permessage-deflate like a browser does and inflates
when the server accepts it, answers pings, and nothing else (RFC 6455).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import struct
import time
import zlib
from collections.abc import Callable

type OnText = Callable[[bytes, float], None]

OP_TEXT, OP_CLOSE, OP_PING, OP_PONG = 0x1, 0x8, 0x9, 0xA


def _masked(opcode: int, payload: bytes) -> bytes:
    """A client frame (clients must mask, RFC 6455 section 5.3); payloads < 126 bytes."""
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + body


class FrameClient(asyncio.Protocol):
    def __init__(self, request: bytes, on_text: OnText) -> None:
        self.request = request
        self.on_text = on_text
        self.opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.buffer = bytearray()
        self.inflate: zlib._Decompress | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during the handshake"))

    def data_received(self, data: bytes) -> None:
        now = time.time()
        self.buffer += data
        if not self.opened.done() and not self._handshake():
            return
        self._frames(now)

    def _handshake(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end]).decode("latin-1").lower()
        del self.buffer[: end + 4]
        if not head.startswith("http/1.1 101"):
            self.opened.set_exception(ConnectionError(head.splitlines()[0]))
            return False
        if "sec-websocket-extensions: permessage-deflate" in head:
            self.inflate = zlib.decompressobj(-15)
        self.opened.set_result(None)
        return True

    def _frames(self, now: float) -> None:
        buf = self.buffer
        while len(buf) >= 2:
            first, length = buf[0], buf[1] & 0x7F
            start = 2
            if length == 126:
                if len(buf) < 4:
                    return
                length, start = struct.unpack_from("!H", buf, 2)[0], 4
            elif length == 127:
                if len(buf) < 10:
                    return
                length, start = struct.unpack_from("!Q", buf, 2)[0], 10
            if len(buf) < start + length:
                return
            payload = bytes(buf[start : start + length])
            del buf[: start + length]
            if first & 0x40 and self.inflate is not None:  # RSV1: compressed message
                payload = self.inflate.decompress(payload + b"\x00\x00\xff\xff")
            self._frame(first & 0x0F, payload, now)

    def _frame(self, opcode: int, payload: bytes, now: float) -> None:
        assert self.transport is not None
        if opcode == OP_TEXT:
            self.on_text(payload, now)
        elif opcode == OP_PING:
            self.transport.write(_masked(OP_PONG, payload[:125]))
        elif opcode == OP_CLOSE:
            self.transport.close()

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(_masked(OP_CLOSE, struct.pack("!H", 1000)))
            self.transport.close()


async def open_socket(
    port: int, path: str, headers: dict[str, str], on_text: OnText
) -> FrameClient:
    """Connect and complete the handshake (the first frames may come in the same read)."""
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    loop = asyncio.get_running_loop()
    _transport, client = await loop.create_connection(
        lambda: FrameClient(request, on_text), "127.0.0.1", port
    )
    await asyncio.wait_for(client.opened, timeout=30)
    return client


async def run_clients(
    port: int,
    keys: list[str],
    path: str,
    expected_events: int,
    window: float,
    ready: asyncio.Event,
    on_received: Callable[[], None],
) -> tuple[int, list[tuple[float, str]], float]:
    """Receive until every socket has every event (or `window` ends), then
    call `on_received` before any socket closes (closing costs the server too)."""
    samples: list[tuple[float, str]] = []  # (receipt time, the send time it carries)
    delivered = 0
    first = last = 0.0
    finished = 0
    received = asyncio.Event()

    def counter() -> Callable[[bytes, float], None]:
        seen = 0

        def on_text(payload: bytes, now: float) -> None:
            nonlocal seen, delivered, first, last, finished
            frame = json.loads(payload)
            event = frame.get("event") or {}
            excerpt = str((event.get("data") or {}).get("excerpt", ""))
            if frame.get("kind") != "event" or not excerpt[:1].isdigit():
                return  # not a timed note (hello, the warm-up note)
            samples.append((now, excerpt))
            delivered += 1
            first = first or now
            last = now
            seen += 1
            if seen == expected_events:
                finished += 1
                if finished == len(keys):
                    received.set()

        return on_text

    # A few handshakes at a time: a thousand at once overflow the listen backlog.
    handshakes = asyncio.Semaphore(50)

    async def one(key: str) -> FrameClient:
        headers = {"Cookie": f"sessionid={key}", "Origin": f"http://127.0.0.1:{port}"}
        async with handshakes:
            return await open_socket(port, path, headers, counter())

    sockets = await asyncio.wait_for(asyncio.gather(*(one(k) for k in keys)), timeout=120)
    ready.set()
    print(f"  {len(keys)} sockets connected", flush=True)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(received.wait(), timeout=window)
    on_received()
    for sock in sockets:
        sock.close()
    return delivered, samples, max(last - first, 1e-9)
