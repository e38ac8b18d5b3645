"""Notifications use cases: reacting to events, delivering, and the inbox."""
