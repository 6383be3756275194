"""Accounts: creating users, checking passwords, and the server-side sessions behind sign-in."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from sqlalchemy import bindparam, func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..config import PASSWORD_HASH_METHOD, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from ..models import Group, Role, User, UserSession, db, group_members
from ..models.base import utcnow
from .errors import NotFound, ServiceError
from .staff_audit import account_values, record_staff_action

NAME_MAX_LENGTH = 120
# No 0/o or 1/l/i, so a password read out loud is typed right.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - letters, not a password
CONTROL_CHARACTERS_MESSAGE = (
    "{what} name cannot contain control characters (such as a NUL byte, a tab or a line break)."
)
NOT_A_NEW_ONE = "The new password must be different from the one you signed in with."
# A session's last-seen time is written at most this often (it feeds the idle timeout only).
TOUCH_INTERVAL = timedelta(minutes=1)

# Checked against when the email is unknown, so an unknown user costs as much time as a wrong
# password and the two cannot be told apart by timing.
_DUMMY_HASH: dict[str, str] = {}


def _hash_method() -> str:
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_METHOD", PASSWORD_HASH_METHOD)
    return PASSWORD_HASH_METHOD


def hash_password(password: str) -> str:
    """Hash a password with scrypt at the configured cost."""
    return generate_password_hash(password, method=_hash_method())


def normalise_email(email: str) -> str:
    """Validate an email address's form and return it lower-cased; raise ServiceError if bad."""
    email = (email or "").strip()
    if not email:
        raise ServiceError("Enter an email address.", field="email")
    if len(email) > 254:
        raise ServiceError("An email address can be at most 254 characters.", field="email")
    try:
        valid = validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ServiceError(
            f"{email!r} is not a valid email address: {exc}", field="email"
        ) from None
    return valid.normalized.lower()


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a control character (Unicode category Cc: NUL, tab, newline,
    escape ...), which no name needs and which would break the CSV and pages it appears in."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def check_name(name: str) -> str:
    """A person's display name, trimmed; raise ServiceError when empty, too long or holding
    control characters."""
    name = (name or "").strip()
    if not name:
        raise ServiceError("Enter a name.", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ServiceError(f"A name can be at most {NAME_MAX_LENGTH} characters.", field="name")
    if has_control_characters(name):
        raise ServiceError(CONTROL_CHARACTERS_MESSAGE.format(what="A"), field="name")
    return name


def check_password(password: str) -> str:
    """Refuse a password that is too short or absurdly long (length is the rule, not symbols)."""
    if len(password or "") < PASSWORD_MIN_LENGTH:
        raise ServiceError(
            f"A password needs at least {PASSWORD_MIN_LENGTH} characters.", field="password"
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ServiceError(
            f"A password can be at most {PASSWORD_MAX_LENGTH} characters.", field="password"
        )
    return password


def parse_role(role: str) -> Role:
    """The Role named by `role` (case-insensitive); raise ServiceError for an unknown one."""
    try:
        return Role((role or "").strip().lower())
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise ServiceError(f"unknown role {role!r} (use one of: {known})", field="role") from None


def find_user_by_email(email: str) -> User | None:
    """The user with this email (any case), or None."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    *,
    name: str,
    email: str,
    role: Role | str,
    password: str,
    must_change_password: bool = False,
) -> User:
    """Create an account; refuses a bad name, email, role or password, or a taken email.
    `must_change_password` when someone other than its owner chose or saw the password (a
    tutor's new learner, an admin's new account): the owner chooses their own at sign-in."""
    return create_user_with_hash(
        name=name,
        email=email,
        role=role,
        password_hash=hash_password(check_password(password)),
        must_change_password=must_change_password,
    )


def create_user_with_hash(
    *,
    name: str,
    email: str,
    role: Role | str,
    password_hash: str,
    must_change_password: bool = False,
) -> User:
    """Create an account whose password was hashed beforehand (outside any transaction: see
    `user_import`); the same checks as `create_user` otherwise."""
    user = User(
        name=check_name(name),
        email=normalise_email(email),
        role=parse_role(role).value,
        password_hash=password_hash,
        must_change_password=must_change_password,
    )
    if find_user_by_email(user.email) is not None:
        raise ServiceError(f"An account with the email {user.email} already exists.", "email")
    db.session.add(user)
    db.session.flush()
    record_staff_action(
        "account.created", "user", user.id, learner_id=_learner_id(user), after=account_values(user)
    )
    return user


def _learner_id(user: User) -> int | None:
    return user.id if user.role == Role.LEARNER.value else None


def generate_password() -> str:
    """A random password a person can type: four groups of four letters and digits."""
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(4))


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None (one answer for every failure)."""
    user = find_user_by_email(email or "") if email else None
    if user is None:
        method = _hash_method()
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash(secrets.token_hex(8), method=method)
        check_password_hash(_DUMMY_HASH[method], password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    if not user.is_active:
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, user_agent: str = "") -> str:
    """Open a server-side session for a signed-in user and return its token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(token_hash=_token_hash(token), user_id=user.id, user_agent=user_agent[:255])
    )
    db.session.flush()
    user.current_session_token = token
    return token


# Built once: constructing the statement costs about as much as running it.
_SESSION_USER = (
    select(User, UserSession.created_at, UserSession.last_seen_at, UserSession.revoked_at)
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.token_hash == bindparam("token_hash"))
)


def load_session_user(token: str) -> tuple[User | None, bool]:
    """The user behind a live session token (None when unknown, revoked or expired), and
    whether the session's last-seen time is old enough to be worth recording again.

    Asked on every signed-in request, so it is one query: the `User` row with the session's
    times, which are all the timeouts need."""
    if not token:
        return None, False
    # An ORM read (the User row itself) through the session; users and sessions are no
    # sandbox's rows, so the sandbox scope adds nothing to it.
    found = db.session.execute(_SESSION_USER, {"token_hash": _token_hash(token)}).first()
    if found is None:
        return None, False
    user, created_at, last_seen_at, revoked_at = found
    if revoked_at is not None or not user.is_active:
        return None, False
    now = utcnow()
    cfg = current_app.config
    if now - created_at > timedelta(hours=cfg["SESSION_MAX_HOURS"]):
        return None, False
    if now - last_seen_at > timedelta(minutes=cfg["SESSION_IDLE_MINUTES"]):
        return None, False
    user.current_session_token = token
    return user, now - last_seen_at > TOUCH_INTERVAL


def touch_session(token: str) -> None:
    """Record activity on a session (for the idle timeout)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _token_hash(token))
        .values(last_seen_at=utcnow())
    )


def end_session(token: str | None) -> None:
    """Revoke a session so its cookie no longer signs anyone in."""
    if not token:
        return
    db.session.execute(
        update(UserSession)
        .where(UserSession.token_hash == _token_hash(token))
        .where(UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def end_all_sessions(user: User) -> None:
    """Revoke every session a user has (on disabling the account or changing the password)."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id)
        .where(UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def set_active(user: User, active: bool) -> None:
    """Enable or disable an account; disabling ends all its sessions."""
    was = bool(user.active)
    user.active = active
    if not active:
        end_all_sessions(user)
    db.session.flush()
    if was != bool(active):
        record_staff_action(
            "account.enabled" if active else "account.disabled",
            "user",
            user.id,
            learner_id=_learner_id(user),
            before={"active": was},
            after={"active": bool(active)},
        )


def count_by_role() -> dict[Role, int]:
    """How many accounts each role has (none counted as 0), for the administrator's page."""
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    return {role: counts.get(role.value, 0) for role in Role}


def all_users() -> list[User]:
    """Every account, by role and then name, for the administrator's page."""
    return list(db.session.scalars(select(User).order_by(User.role, User.name)))


def toggle_active(user: User, by: User) -> None:
    """An administrator enables a disabled account or disables an active one (`set_active`).
    Refuses to disable the administrator's own account: they would lock themselves out."""
    if user.id == by.id:
        raise ServiceError("You cannot disable your own account.")
    set_active(user, not user.active)


def _require_current_password(user: User, current_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password or ""):
        raise ServiceError("Your current password is not right.", field="current_password")


def end_other_sessions(user: User, keep_token: str | None) -> None:
    """Revoke every session of the user except the one with this token (the one in use)."""
    query = (
        update(UserSession)
        .where(UserSession.user_id == user.id)
        .where(UserSession.revoked_at.is_(None))
    )
    if keep_token:
        query = query.where(UserSession.token_hash != _token_hash(keep_token))
    db.session.execute(query.values(revoked_at=utcnow()))


def change_password(user: User, current_password: str, new_password: str) -> None:
    """A signed-in user changes their own password: the current one is required, the new one
    must differ from it, and every other session of theirs ends (a stolen cookie stops
    working). A password they had to change (one-time or first) is then their own."""
    _require_current_password(user, current_password)
    try:
        check_password(new_password)
    except ServiceError as exc:
        raise ServiceError(exc.message, field="new_password") from None
    if new_password == current_password:
        raise ServiceError(NOT_A_NEW_ONE, field="new_password")
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    end_other_sessions(user, user.current_session_token)
    db.session.flush()
    record_staff_action(
        "account.password_changed", "user", user.id, actor=user, learner_id=_learner_id(user)
    )


def change_email(user: User, current_password: str, new_email: str) -> None:
    """A signed-in user changes the email they sign in with; the current password is required."""
    _require_current_password(user, current_password)
    email = normalise_email(new_email)
    if email == user.email:
        raise ServiceError("That is already your email address.", field="email")
    if find_user_by_email(email) is not None:
        raise ServiceError(f"An account with the email {email} already exists.", field="email")
    before = account_values(user)
    user.email = email
    end_other_sessions(user, user.current_session_token)
    db.session.flush()
    record_staff_action(
        "account.email_changed",
        "user",
        user.id,
        actor=user,
        learner_id=_learner_id(user),
        before=before,
        after=account_values(user),
    )


# ---------------------------------------------------------------- resets by staff


def _tutors_learner(tutor: User, user: User) -> bool:
    """Whether `user` is a learner in one of the tutor's own groups."""
    return (
        db.session.scalar(
            select(group_members.c.user_id)
            .join(Group, Group.id == group_members.c.group_id)
            .where(group_members.c.user_id == user.id, Group.tutor_id == tutor.id)
            .limit(1)
        )
        is not None
    )


def check_may_reset(by: User, user: User) -> None:
    """Refuse (NotFound) a reset `by` may not make: an admin may reset anyone else's password,
    a tutor only a learner in one of their own groups; nobody resets their own (they change
    it on their Account page)."""
    if user.id == by.id:
        raise ServiceError("Change your own password on your Account page.")
    allowed = by.role_enum == Role.ADMIN or (
        by.role_enum == Role.TUTOR and user.role_enum == Role.LEARNER and _tutors_learner(by, user)
    )
    if not allowed:
        raise NotFound("No such learner in your groups.")


def _replace_password(user: User, password: str, *, temporary: bool) -> None:
    user.password_hash = hash_password(password)
    user.must_change_password = temporary
    end_all_sessions(user)  # whoever was signed in as them is signed out
    db.session.flush()


def reset_password(user: User, by: User, group: Group | None = None) -> str:
    """A tutor (for a learner in their groups) or an admin gives the user a one-time password,
    returned to be shown once: every session of the user ends, and at their next sign-in
    they must choose their own. The staff audit log records the reset (with the group it was
    made from, when given), never the password."""
    check_may_reset(by, user)
    if not user.is_active:
        raise ServiceError(f"{user.name}'s account is disabled: enable it first.")
    password = generate_password()
    _replace_password(user, password, temporary=True)
    record_staff_action(
        "account.password_reset",
        "user",
        user.id,
        actor=by,
        group_id=group.id if group is not None else None,
        learner_id=_learner_id(user),
        after={"one_time": True},
    )
    return password


def set_password(user: User, password: str, *, temporary: bool, by: User | None = None) -> None:
    """Set a user's password for them (`crm-sandbox users set-password`): checked by the
    password rules; every session of theirs ends; `temporary` makes them choose their own at
    their next sign-in. On the staff audit log without the password."""
    try:
        check_password(password)
    except ServiceError as exc:
        raise ServiceError(exc.message, field="password") from None
    _replace_password(user, password, temporary=temporary)
    record_staff_action(
        "account.password_set",
        "user",
        user.id,
        actor=by,
        learner_id=_learner_id(user),
        after={"one_time": temporary},
    )
