"""Visits service: contact records, the eight must-visit occasions, and the duty list."""
