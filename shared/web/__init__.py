"""HTTP plumbing every service uses: problem+json, body limits, auth, health and metrics."""
