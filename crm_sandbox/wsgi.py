"""WSGI entry point for production: `gunicorn crm_sandbox.wsgi:app`."""

from .wsgi_check import create_production_app

app = create_production_app()
