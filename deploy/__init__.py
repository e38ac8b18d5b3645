"""Deployment assets: local runner, compose and Kubernetes manifests."""
