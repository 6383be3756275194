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
# Limits live on the routes that need them (`@limiter.limit`); no default or application limits.
limiter = Limiter(key_func=get_remote_address)

__all__ = ["db", "migrate", "login_manager", "csrf", "bootstrap", "limiter"]
