"""Gateways over TLS and mutual TLS, with certificates made in the test."""

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from socialcare_gateways.server import server_credentials
from socialcare_gateways.x import XGateway
from socialcare_responder.adapters.gateways import (
    GatewayClients,
    GatewayError,
    channel_credentials,
)
from tests.fakes.platform_server import serving_gateway

pytestmark = pytest.mark.integration


def _issue(path: Path, name: str, issuer: tuple[x509.Name, ec.EllipticCurvePrivateKey] | None,
           ca: bool = False) -> tuple[x509.Name, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    issuer_name, issuer_key = issuer or (subject, key)
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(minutes=1))
               .not_valid_after(now + dt.timedelta(hours=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    (path / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (path / f"{name}.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return subject, key


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pki")
    ca = _issue(path, "ca", None, ca=True)
    _issue(path, "server", ca)
    _issue(path, "client", ca)
    _issue(path, "stranger", None)  # self-signed: not from our CA
    return path


async def capabilities(target: str, creds: grpc.ChannelCredentials | None) -> str:
    clients = GatewayClients({"*": target}, 3, creds)
    try:
        return (await clients.capabilities("x")).platform
    finally:
        await clients.close()


@pytest.fixture
async def mtls_gateway(pki: Path) -> AsyncIterator[str]:
    creds = server_credentials(str(pki / "server.pem"), str(pki / "server.key"),
                               str(pki / "ca.pem"))
    async with httpx.AsyncClient() as http, serving_gateway(
            XGateway(http, "http://127.0.0.1:9", {}), creds) as target:
        yield target


async def test_tls_without_client_auth(pki: Path) -> None:
    creds = server_credentials(str(pki / "server.pem"), str(pki / "server.key"), None)
    async with httpx.AsyncClient() as http, serving_gateway(
            XGateway(http, "http://127.0.0.1:9", {}), creds) as target:
        assert await capabilities(target, channel_credentials(str(pki / "ca.pem"))) == "x"
        with pytest.raises(GatewayError) as refused:
            await capabilities(target, None)  # plaintext to a TLS port
        assert refused.value.code == grpc.StatusCode.UNAVAILABLE


async def test_mutual_tls_accepts_a_client_certificate_from_the_ca(
        mtls_gateway: str, pki: Path) -> None:
    creds = channel_credentials(str(pki / "ca.pem"), str(pki / "client.pem"),
                                str(pki / "client.key"))
    assert await capabilities(mtls_gateway, creds) == "x"


@pytest.mark.parametrize("client", [None, "stranger"])
async def test_mutual_tls_refuses_clients_without_a_trusted_certificate(
        mtls_gateway: str, pki: Path, client: str | None) -> None:
    creds = channel_credentials(str(pki / "ca.pem"),
                                str(pki / f"{client}.pem") if client else None,
                                str(pki / f"{client}.key") if client else None)
    with pytest.raises(GatewayError) as refused:
        await capabilities(mtls_gateway, creds)
    assert refused.value.code == grpc.StatusCode.UNAVAILABLE


def test_half_configured_tls_is_refused_at_start(pki: Path) -> None:
    with pytest.raises(ValueError):
        server_credentials(str(pki / "server.pem"), None, None)
    with pytest.raises(ValueError):
        server_credentials(None, None, str(pki / "ca.pem"))
    with pytest.raises(ValueError):
        channel_credentials(None, str(pki / "client.pem"), str(pki / "client.key"))
