"""Scenarios: data files that set learners tasks, and the engine that runs and checks them."""
