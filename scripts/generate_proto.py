"""Generates the Python gRPC stubs from proto/ into the contracts package.

Run ``make proto``. Output is deterministic, so a contract test regenerates into a temp
folder and fails when the committed stubs are stale.
"""

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parents[1]
PROTO_ROOT = ROOT / "proto"
PACKAGE = "socialcare.gateway.v1"
TARGET = ROOT / "libs/socialcare-contracts/src/socialcare_contracts/gateway/v1"


def generate(target: Path) -> list[Path]:
    """Runs protoc for every .proto under proto/ and writes the stubs into ``target``."""
    protos = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    with tempfile.TemporaryDirectory() as tmp:
        args = ["protoc", f"-I{PROTO_ROOT}", f"--python_out={tmp}", f"--pyi_out={tmp}",
                f"--grpc_python_out={tmp}", *protos]
        if protoc.main(args) != 0:
            raise SystemExit("protoc failed")
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for produced in sorted(Path(tmp, *PACKAGE.split(".")).iterdir()):
            text = produced.read_text()
            # protoc names imports after the proto package; ours live in the contracts package.
            text = re.sub(r"^from socialcare\.gateway\.v1 import", "from . import", text,
                          flags=re.MULTILINE)
            out = target / produced.name
            out.write_text(text)
            written.append(out)
    (target / "__init__.py").write_text('"""Generated gRPC stubs (make proto); do not edit."""\n')
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=TARGET)
    out = parser.parse_args().out
    if out == TARGET and TARGET.exists():
        shutil.rmtree(TARGET)
    for path in generate(out):
        sys.stdout.write(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}\n")


if __name__ == "__main__":
    main()
