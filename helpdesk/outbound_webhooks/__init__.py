"""Outbound webhooks: signed, retried, ordered, logged deliveries of desk events.

See docs/webhooks.md. Subscriptions read the event log (helpdesk.models.TicketEvent)
with a cursor each (`dispatch.fan_out`), and every matching event becomes one
`Delivery` that the task worker sends (`delivery.deliver`).
"""
