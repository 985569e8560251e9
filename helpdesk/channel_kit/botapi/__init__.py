"""A shared adapter for services that speak Telegram's Bot API (Telegram, Bale).

A channel declares a `BotApiProfile` (profile.py) and gets, parameterised by it:
strict update parsing (shape.py, parse.py), exactly-once handling shared by the
webhook and long polling (handler.py, polling.py), the webhook's authentication
by secret header or secret path (webhook.py), delivery with per-part resume
(sender.py), media download and welcome messages (media.py), signed /start
links (links.py), getMe / setWebhook (setup.py) and abstract models (models.py).
Import the submodules directly; this package imports none of them.
"""
