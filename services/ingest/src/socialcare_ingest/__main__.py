"""Entrypoint: ``python -m socialcare_ingest [api|poller|import FILE ...]`` (api by default)."""

import argparse
import asyncio
import gc
import json
import os
import sys
import time
from pathlib import Path

import uvicorn

from socialcare_ingest.app import create_app
from socialcare_ingest.bootstrap import (
    connect_database,
    connect_import_publisher,
    connect_publisher,
)
from socialcare_ingest.delivery import SELF_TRACED_PATHS
from socialcare_ingest.importer import Importer, checkpoint_path, load_checkpoint
from socialcare_ingest.listening.poller import run_poller
from socialcare_ingest.settings import IngestSettings
from socialcare_runtime.instrumentation import instrument_fastapi, instrument_pymongo
from socialcare_runtime.logs import configure_logging
from socialcare_runtime.publisher import Backpressure
from socialcare_runtime.telemetry import setup_telemetry


def serve(settings: IngestSettings) -> None:
    """The HTTP API: API channel, webhooks, listening-rule admin, health."""
    telemetry = setup_telemetry("socialcare-ingest")
    database = connect_database(settings, "socialcare-ingest")
    instrument_pymongo()
    app = create_app(settings, lambda: connect_publisher(settings), telemetry.tracer, database)
    instrument_fastapi(app, self_traced=SELF_TRACED_PATHS)
    uvicorn.run(app, host=settings.host, port=settings.ingest_port, log_config=None,
                access_log=False)
    telemetry.shutdown()


def poll(settings: IngestSettings) -> None:
    """The brand-mention listening poller, until SIGINT/SIGTERM."""
    telemetry = setup_telemetry("socialcare-ingest-poller")
    try:
        asyncio.run(run_poller(settings))
    except KeyboardInterrupt:
        pass
    finally:
        telemetry.shutdown()


def parse_brand_map(value: str | None) -> dict[str, str]:
    """``handle=brand,handle2=brand2`` or a JSON file of the same mapping."""
    if not value:
        return {}
    if Path(value).is_file():
        return {str(k): str(v) for k, v in json.loads(Path(value).read_text()).items()}
    pairs = [p.split("=", 1) for p in value.split(",") if p.strip()]
    if any(len(p) != 2 for p in pairs):
        raise SystemExit("--brand-map takes handle=brand[,handle=brand...] or a JSON file")
    return {k.strip(): v.strip() for k, v in pairs}


def import_file(settings: IngestSettings, args: argparse.Namespace) -> int:
    """Bulk import with a rich progress bar and a final report; 2 when Kafka failed."""
    source = Path(args.file)
    fmt = args.format or ("twcs" if source.suffix.lower() == ".csv" else "jsonl")
    checkpoint = checkpoint_path(source, os.environ.get("SOCIALCARE_STATE_DIR"))
    if args.restart:
        checkpoint.unlink(missing_ok=True)
    publisher = connect_import_publisher(settings, "socialcare-ingest-import")
    importer = Importer(publisher, settings.topic_prefix, batch_size=args.batch_size)
    gc.freeze()  # start-up objects outlive the import: keep full collections off them
    started = time.perf_counter()
    before = 0
    try:
        if checkpoint.exists():
            before = load_checkpoint(checkpoint, source).accepted
        progress = asyncio.run(importer.run(source, fmt, checkpoint, parse_brand_map(
            args.brand_map)))
    except Backpressure as exc:
        importer.console.print(f"[red]Kafka did not acknowledge ({exc}); "
                               "run the same command again to resume.")
        return 2
    except KeyboardInterrupt:
        importer.console.print("[yellow]interrupted; run the same command again to resume.")
        return 130
    finally:
        publisher.close()
    importer.report(progress, time.perf_counter() - started, progress.accepted - before)
    importer.console.print(f"checkpoint: {checkpoint} (--restart to import again)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socialcare_ingest")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("api", help="serve the HTTP API (default)")
    commands.add_parser("poller", help="poll X recent search for brand mentions")
    importing = commands.add_parser("import", help="import JSONL or a TWCS CSV into Kafka")
    importing.add_argument("file")
    importing.add_argument("--format", choices=["jsonl", "twcs"],
                           help="default: twcs for .csv, else jsonl")
    importing.add_argument("--brand-map", help="TWCS handle=brand account pairs, or a JSON file")
    importing.add_argument("--batch-size", type=int, default=1000)
    importing.add_argument("--restart", action="store_true",
                           help="forget the checkpoint and import from the first row")
    args = parser.parse_args(argv)
    if args.command == "import" and not Path(args.file).is_file():
        parser.error(f"no such file: {args.file}")
    settings = IngestSettings()
    configure_logging("ingest", settings.log_level)
    if args.command == "import":
        return import_file(settings, args)
    if args.command == "poller":
        poll(settings)
    else:
        serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
