"""Webhook signatures and handshakes of X and Meta, checked in constant time."""

import base64
import hashlib
import hmac
from collections.abc import Iterable


def _hmac(secret: str, data: bytes) -> bytes:
    return hmac.new(secret.encode(), data, hashlib.sha256).digest()


def x_crc_response(consumer_secret: str, crc_token: str) -> str:
    """The ``response_token`` X expects for a CRC challenge."""
    return "sha256=" + base64.b64encode(_hmac(consumer_secret, crc_token.encode())).decode()


def _any_matches(presented: str | None, expected: Iterable[str]) -> bool:
    if not presented:
        return False
    candidate = presented.strip().encode()
    matched = False
    # Every secret is compared, so timing does not tell which (or how many) exist.
    for value in expected:
        matched |= hmac.compare_digest(candidate, value.encode())
    return matched


def x_signature_valid(body: bytes, header: str | None, consumer_secrets: Iterable[str]) -> bool:
    """``x-twitter-webhooks-signature: sha256=<base64 HMAC>`` under any current secret."""
    return _any_matches(header, (
        "sha256=" + base64.b64encode(_hmac(s, body)).decode() for s in consumer_secrets))


def meta_signature_valid(body: bytes, header: str | None, app_secrets: Iterable[str]) -> bool:
    """``X-Hub-Signature-256: sha256=<hex HMAC>`` under any current app secret."""
    return _any_matches(header.lower() if header else header,
                        ("sha256=" + _hmac(s, body).hex() for s in app_secrets))


def meta_verify_token_valid(presented: str | None, tokens: Iterable[str]) -> bool:
    """The subscription handshake's ``hub.verify_token`` is one we configured."""
    return _any_matches(presented, tokens)
