"""Encryption at rest of small secrets (second-factor keys), with a key from SECRET_KEY.

AES-256-GCM; the key is derived from ``SECRET_KEY`` with HKDF, so a copy of the
database alone does not reveal anyone's second factor. Changing SECRET_KEY makes the
stored secrets unreadable: users then enrol again (an admin resets their second factor).
"""

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "v1:"


class SecretUnreadable(Exception):
    """The stored value was not made with this SECRET_KEY, or was changed."""


def _key(purpose: str) -> bytes:
    secret = current_app.config["SECRET_KEY"].encode()
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"caseflow:{purpose}".encode()
    ).derive(secret)


def encrypt(plaintext: str, purpose: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(purpose)).encrypt(nonce, plaintext.encode(), purpose.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(stored: str, purpose: str) -> str:
    if not stored.startswith(PREFIX):
        raise SecretUnreadable()
    try:
        raw = base64.urlsafe_b64decode(stored[len(PREFIX) :])
        plain = AESGCM(_key(purpose)).decrypt(raw[:12], raw[12:], purpose.encode())
    except (InvalidTag, ValueError) as error:
        raise SecretUnreadable() from error
    return plain.decode()
