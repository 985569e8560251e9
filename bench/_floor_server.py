"""The floor for bench/fanout.py: a bare websockets server broadcasting frames.

    python bench/_floor_server.py PORT RATE SECONDS

Accepts any number of sockets; on SIGUSR1 broadcasts RATE frames per second for
SECONDS with websockets.broadcast(), each carrying its send time, then idles.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time

import websockets
from websockets.asyncio.server import ServerConnection, broadcast, serve

clients: set[ServerConnection] = set()


async def handler(ws: ServerConnection) -> None:
    clients.add(ws)
    try:
        await ws.wait_closed()
    finally:
        clients.discard(ws)


async def broadcast_for(rate: float, seconds: float) -> None:
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        frame = {"kind": "event", "event": {"seq": i, "data": {"excerpt": repr(time.time())}}}
        broadcast(clients, json.dumps(frame))


async def main(port: int, rate: float, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    go = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, go.set)
    # No permessage-deflate, like the desk's servers (Daphne never negotiates it,
    # uvicorn is run without it): the floor is the same frames, uncompressed.
    async with serve(handler, "127.0.0.1", port, max_queue=None, compression=None):
        await go.wait()
        await broadcast_for(rate, seconds)
        await asyncio.sleep(3600)


if __name__ == "__main__":
    assert websockets  # the package, not a vendored copy
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])))
