"""Automation: rules, business hours, automatic answers (see docs/automation.md)."""
