"""The committed gRPC stubs are exactly what ``make proto`` generates from proto/."""

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.contract
ROOT = Path(__file__).resolve().parents[2]


def test_committed_stubs_match_a_fresh_generation(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("generate_proto",
                                                  ROOT / "scripts/generate_proto.py")
    assert spec and spec.loader
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    fresh = {p.name: p.read_text() for p in generator.generate(tmp_path)}
    committed = {p.name: p.read_text() for p in generator.TARGET.iterdir() if p.is_file()}
    assert set(fresh) <= set(committed), "run `make proto` and commit the stubs"
    stale = [name for name, text in fresh.items() if committed[name] != text]
    assert not stale, f"stale stubs (run `make proto`): {stale}"


def test_gateway_service_has_the_agreed_methods() -> None:
    from socialcare_contracts.gateway.v1 import gateway_pb2

    service = gateway_pb2.DESCRIPTOR.services_by_name["PlatformGateway"]
    assert {m.name for m in service.methods} == {"SendReply", "SendDirectMessage",
                                                 "GetCapabilities"}
