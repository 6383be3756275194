"""Ralph's LRS API (`ralph.api:app`, what `ralph runserver` serves) with its file-system backend
appending statements to its data file. Run in Ralph's own environment (.venv/ralph) by
tests/lrs.py and .ci/run: `python -m uvicorn ralph_app:app --app-dir tests`.

Why: Ralph 5.1's file-system LRS backend writes each request's statements with the data
backend's default operation, CREATE, which refuses once its data file exists, so only the first
request is stored and every later one is answered 500 ("Statement indexation failed"). Appending
is what an LRS needs; nothing else of Ralph changes.
"""

from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402 - after the backend is set to append

__all__ = ["app"]
