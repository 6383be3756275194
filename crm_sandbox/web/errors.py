"""Error pages: a plain explanation, never a traceback."""

from flask import Flask, current_app, render_template
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError

from ..extensions import db
from .forms_common import register_already_saved_handler

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Go back and try again."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is nothing here, or it is not yours to see."),
    405: ("Not allowed", "That page cannot be opened that way."),
    413: ("Too large", "What you sent is larger than this site accepts."),
    429: (
        "Too many attempts",
        "There have been too many attempts in a short time. Wait a minute and try again.",
    ),
    500: (
        "Something went wrong",
        "The page could not be shown. Nothing you had already saved is lost. "
        "Try again, and tell your tutor or IT team if it happens again.",
    ),
}


def _page(code: int, message: str | None = None):
    title, text = MESSAGES[code]
    return render_template("errors/error.html", code=code, title=title, text=message or text), code


def bad_request(message: str):
    """A 400 page with a specific explanation."""
    return _page(400, message)


def _size(n: int) -> str:
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= factor:
            return f"{round(n / factor, 1):g} {unit}"
    return f"{n} bytes"


def register_error_handlers(app: Flask) -> None:
    for code in MESSAGES:
        if code in (413, 429, 500):
            continue
        app.register_error_handler(code, lambda exc, code=code: _page(code))

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _page(
            400,
            "This form has expired or was sent without its security token. "
            "Reload the page and send it again.",
        )

    @app.errorhandler(413)
    def _too_large(exc):
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        size = f" (at most {_size(limit)})" if limit else ""
        return _page(
            413,
            f"What you sent is larger than this site accepts{size}. Nothing was saved: "
            "send a smaller file or shorter text.",
        )

    @app.errorhandler(429)
    def _too_many(exc):
        # A limit with its own message (the Account page's) says what was limited; the others
        # get the general one rather than the library's "5 per 1 minute".
        own = isinstance(exc, RateLimitExceeded) and exc.limit.error_message
        return _page(429, exc.description if own else None)

    @app.errorhandler(500)
    def _server_error(exc):
        db.session.rollback()
        return _page(500)

    register_already_saved_handler(app)
