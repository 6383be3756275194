"""Benchmarks of the CRM Sandbox: `make bench` (or `python -m benchmarks`) runs them all."""
