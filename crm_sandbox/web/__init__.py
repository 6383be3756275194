"""Blueprints, one package per area; views stay thin and call the services."""
