"""Deployment files: the nginx site and the two-instance environment (deploy/multi.py)."""
