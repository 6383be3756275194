"""The LTI tests' platform: a running Moodle-like platform (tests/lti/platform.py) per test."""

from __future__ import annotations

import pytest

from .platform import Platform


@pytest.fixture
def platform():
    with Platform() as running:
        yield running
