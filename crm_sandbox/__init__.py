"""CRM Sandbox: a practice CRM for business-administration learners."""

from .app import create_app

__all__ = ["create_app"]
