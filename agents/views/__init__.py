"""The inbox's views, split by topic: lists, one ticket, contacts, the agent's own settings."""
