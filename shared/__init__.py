"""Contracts and plumbing shared by every service (never imports a service)."""
