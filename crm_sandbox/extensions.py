"""Flask extensions, created here and bound to the app in `create_app`."""

from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from .models.base import db

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
bootstrap = Bootstrap5()


class RouteLimiter(Limiter):
    """Flask-Limiter with limits on decorated routes only.

    A decorated route checks its limits inside its decorator. The app-wide before_request
    hook adds default and application limits, which this app does not set, so it is not
    registered: on every other request its lookups cost about 30 us (measured in-process, A/B
    in one process), some 3 % of a contact list page. The after-request hook (rate-limit
    headers) stays."""

    def init_app(self, app) -> None:
        super().init_app(app)
        app.before_request_funcs[None].remove(self._check_request_limit)


# No default limits: only sign-in is limited, per address and per account (see auth routes).
limiter = RouteLimiter(key_func=get_remote_address)

__all__ = ["db", "migrate", "login_manager", "csrf", "bootstrap", "limiter"]
