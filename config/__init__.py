"""The project package: settings, URLs, ASGI routing and the demo loader.

The only package that may import every app (see docs/architecture.md).
"""
