"""Notifications service: inboxes, preferences, templates and deliveries."""
