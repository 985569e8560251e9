"""Every mutation of tickets, messages, contacts and assignments lives here."""
