"""The notification center: what agents are told, in the bell, the browser and by mail.

Other parts call `helpdesk.notifications.actions.notify`; the triggers that come
from the event stream (assigned, new customer message, unassigned chat, mention,
missed call) live in `triggers`. See docs/notifications.md.
"""
