import pytest

from socialcare_ingest.domain import signatures

pytestmark = pytest.mark.unit

# Computed independently: printf 'challenge-123' | openssl dgst -sha256 -hmac consumer-secret ...
X_CRC = "sha256=+JKD3xCx1so7H9dYGqEd8qLRIIR3uCpi/4gsvLxmFd4="
META_BODY = b'{"object":"page"}'
META_SIG = "sha256=ae958d6f00b134dd32b95a9a76bedaaeb068c0949769358355023f7d1a0c580b"


def test_x_crc_response_matches_the_openssl_vector() -> None:
    assert signatures.x_crc_response("consumer-secret", "challenge-123") == X_CRC


def test_x_signature_is_base64_hmac_of_the_raw_body_under_any_current_secret() -> None:
    body = b"challenge-123"
    assert signatures.x_signature_valid(body, X_CRC, ["consumer-secret"])
    assert signatures.x_signature_valid(body, X_CRC, ["new-secret", "consumer-secret"])
    assert not signatures.x_signature_valid(body, X_CRC, ["new-secret"])
    assert not signatures.x_signature_valid(body + b" ", X_CRC, ["consumer-secret"])
    assert not signatures.x_signature_valid(body, None, ["consumer-secret"])
    assert not signatures.x_signature_valid(body, X_CRC, [])


def test_meta_signature_is_hex_hmac_and_case_insensitive() -> None:
    assert signatures.meta_signature_valid(META_BODY, META_SIG, ["app-secret"])
    assert signatures.meta_signature_valid(META_BODY, META_SIG.upper().replace("SHA256", "sha256"),
                                           ["old", "app-secret"])
    assert not signatures.meta_signature_valid(META_BODY, META_SIG.replace("ae", "af", 1),
                                               ["app-secret"])
    assert not signatures.meta_signature_valid(META_BODY, "sha1=" + META_SIG[7:], ["app-secret"])
    assert not signatures.meta_signature_valid(META_BODY, "", ["app-secret"])


def test_meta_verify_token() -> None:
    assert signatures.meta_verify_token_valid("tok-2", ["tok-1", "tok-2"])
    assert not signatures.meta_verify_token_valid("tok-3", ["tok-1", "tok-2"])
    assert not signatures.meta_verify_token_valid(None, ["tok-1"])
