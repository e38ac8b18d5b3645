"""A living demo province: `python -m deploy.demo` loads it through the services' own APIs."""
