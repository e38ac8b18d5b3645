"""Rebuild every reporting projection from the retained topics, and swap it in while serving."""
