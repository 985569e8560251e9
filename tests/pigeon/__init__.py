"""A channel that exists only in the test settings: proof that a channel is a plug-in.

It is one folder and one INSTALLED_APPS line (tests/settings.py), with no edit in
the core: carrier pigeons deliver messages to a webhook, and replies fly back.
"""
