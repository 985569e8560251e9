"""Loopback ports for the servers that tests and benchmarks start."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A loopback TCP port the kernel just handed out (and that nothing holds now)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
