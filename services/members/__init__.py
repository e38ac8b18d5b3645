"""Members service: the province's directory of who is who."""
