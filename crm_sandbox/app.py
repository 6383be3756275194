"""The application factory."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, g, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import access, config, database, deploy_checks, resources
from .extensions import bootstrap, csrf, db, limiter, login_manager, migrate
from .session_cookie import SessionInterface

MIGRATIONS_DIR = resources.MIGRATIONS
READ_METHODS = {"GET", "HEAD", "OPTIONS"}

# Sent with every response. The pages use no inline script or style (app.js and app.css are
# files), so the policy needs no 'unsafe-inline'; charts are SVG files served by the app.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then `CRM_SANDBOX_*` environment variables, then `test_config`."""
    instance_path = os.environ.get(config.ENV_PREFIX + "INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
        template_folder=str(resources.TEMPLATES),
        static_folder=str(resources.STATIC),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    app.config.from_mapping(config.defaults(app.instance_path))
    app.config.update(config.from_environment(os.environ))
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        if app.config.get("TESTING"):
            app.config["SECRET_KEY"] = "testing-only-secret-key"  # noqa: S105 - tests only
        else:
            app.config["SECRET_KEY"] = config.instance_secret_key(app.instance_path)
    if "LOG_KEY" not in app.config and app.config.get("TESTING"):
        # Otherwise the action log's key is read (or generated) from the instance folder when
        # first needed, so a verifier elsewhere never invents one (services.action_log).
        app.config["LOG_KEY"] = "testing-only-log-key"  # noqa: S105 - tests only
    problems = deploy_checks.startup_problems(app.config)
    if problems:
        raise config.SettingsError(
            "CRM Sandbox cannot start with these settings:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )
    app.session_interface = SessionInterface()
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    # Ids in URLs are database integers: a larger number is simply not found (PostgreSQL
    # would otherwise refuse the query with an overflow error).
    app.url_map.converters["int"] = BoundedIntConverter
    _init_extensions(app)
    _register_blueprints(app)
    _register_request_hooks(app)
    from .web.errors import register_error_handlers

    register_error_handlers(app)
    from .cli import register_commands

    register_commands(app)
    # The xAPI sender and its action-log subscriber register themselves when imported; a bad
    # LRS address stops the start with a message (SettingsError), not a refused action later.
    from .services import xapi

    xapi.settings(app.config)
    # The task queue (Huey): immediate in tests unless a test asks for a real consumer.
    from . import tasks

    testing = bool(app.config.get("TESTING"))
    app.config.setdefault("TASK_QUEUE_IMMEDIATE", testing)
    app.config.setdefault("TASK_OUTBOX_ON_COMMIT", not testing)
    tasks.init_app(app)

    return app


class BoundedIntConverter(IntegerConverter):
    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to open that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    from .services import accounts

    @login_manager.user_loader
    def load_user(token: str):
        user, stale = accounts.load_session_user(token)
        if user is not None and stale:
            # Record activity in a short write transaction of its own, so a read-only request
            # never has to upgrade its read transaction to a write.
            db.session.rollback()
            with database.write_transactions():
                accounts.touch_session(token)
                db.session.commit()
            user, _ = accounts.load_session_user(token)
        return user


def _register_blueprints(app: Flask) -> None:
    # The views (and services.accounts above) are imported when an app is built, not at the
    # top: `import crm_sandbox` runs this module, and the views pull in the services and the
    # seed package, which imports crm_sandbox's models again (a cycle through __init__).
    from .services.lti import grades, roster  # noqa: F401 (AGS, NRPS: subscribers, outbox handler)
    from .web.admin import bp as admin_bp
    from .web.assessor import bp as assessor_bp
    from .web.auth import bp as auth_bp
    from .web.crm import bp as crm_bp
    from .web.eqa import bp as eqa_bp
    from .web.learner import bp as learner_bp
    from .web.lti import bp as lti_bp
    from .web.main import bp as main_bp
    from .web.tutor import bp as tutor_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(learner_bp, url_prefix="/learner")
    app.register_blueprint(tutor_bp, url_prefix="/tutor")
    app.register_blueprint(assessor_bp, url_prefix="/assessor")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(eqa_bp, url_prefix="/eqa")
    app.register_blueprint(lti_bp, url_prefix="/lti")
    app.register_blueprint(crm_bp, url_prefix="/s/<int:sandbox_id>")
    from .web import chrome, filters

    filters.register(app)
    chrome.register(app)


def _register_request_hooks(app: Flask) -> None:
    @app.before_request
    def _transaction_mode():
        g._tx_token = database.set_read_only_transactions(request.method in READ_METHODS)

    app.before_request(access.enforce)

    @app.before_request
    def _refuse_nul_characters():
        # A NUL character can never be stored (PostgreSQL refuses it in text), so a request
        # carrying one is refused whole, before any of it reaches a query.
        # A GET or HEAD has no form to read, and nothing reads one there: reading request.form
        # would parse an empty body, about 20 us of every page (timeit, 2026-12-05).
        reads = request.method in READ_METHODS
        for values in (request.args,) if reads else (request.args, request.form):
            for key, items in values.lists():
                if "\x00" in key or any("\x00" in item for item in items):
                    from .web.errors import bad_request

                    return bad_request(
                        "The request contains a character that cannot be "
                        "stored (a NUL byte). Nothing was saved."
                    )
        return None

    @app.after_request
    def _security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.after_request
    def _no_store_when_signed_in(response):
        if current_user and current_user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_request
    def _reset_transaction_mode(_exc):
        token = g.pop("_tx_token", None)
        if token is not None:
            database.reset_transaction_mode(token)
