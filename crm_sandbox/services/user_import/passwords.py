"""An import's first passwords: derived from the import's secret key (never stored), and
hashed with no transaction open.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable

from ...models import db
from .. import accounts


def first_password(key: bytes, line: int) -> str:
    """A row's first password, derived from the import's secret key and the row's line.

    The background job and the page that shows the passwords both derive them, so no
    password is ever stored; only whoever holds the key (the importing tutor's signed
    session) can see them. Same alphabet and length as `accounts.generate_password`."""
    digest = hmac.new(key, str(line).encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest, "big")  # 256 bits: 16 base-31 letters use 79 of them
    letters = []
    for _ in range(16):
        number, index = divmod(number, len(accounts.PASSWORD_ALPHABET))
        letters.append(accounts.PASSWORD_ALPHABET[index])
    return "-".join("".join(letters[i : i + 4]) for i in range(0, 16, 4))


def hash_passwords(
    passwords: list[str], progress: Callable[[int], None] | None = None
) -> list[str]:
    """Hash each password (scrypt, the accounts' own cost) with no transaction open, so that
    nobody waits for the database while the CPU works; `progress(done)` after each one.

    Raises RuntimeError if the session is inside a transaction: on SQLite that transaction
    would hold the write lock for the whole hashing."""
    if db.session().in_transaction():
        raise RuntimeError("end the transaction before hashing passwords")
    hashes = []
    for done, password in enumerate(passwords, start=1):
        hashes.append(accounts.hash_password(password))
        if progress is not None:
            progress(done)
    return hashes
