"""Kubernetes manifests (kustomize) and the generators that keep them in step with the code."""
