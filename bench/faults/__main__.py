"""python -m bench.faults: the fault-injection suite as a command (the long version).

Example: python -m bench.faults --messages 100000 --rate 100 --repeats 6
"""

import argparse
import os
import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench.faults.report import print_report
from bench.faults.schedule import fault_kinds
from bench.faults.suite import Progress as RunProgress
from bench.faults.suite import SuiteConfig, run_suite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__)
    parser.add_argument("--messages", type=int, default=3000, help="customer messages to send")
    parser.add_argument("--rate", type=float, default=40.0, help="messages offered per second")
    parser.add_argument("--repeats", type=int, default=1, help="times each fault happens")
    parser.add_argument("--seed", type=int, default=1, help="seed of the fault schedule")
    parser.add_argument("--only", nargs="+", choices=fault_kinds(), metavar="FAULT",
                        help=f"only these faults (default all: {', '.join(fault_kinds())})")
    parser.add_argument("--keep-data", action="store_true",
                        help="keep the private Kafka and MongoDB data after the run")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.rate <= 0 or args.repeats < 1:
        parser.error("--messages and --repeats must be at least 1, --rate positive")
    console = Console()
    config = SuiteConfig(messages=args.messages, rate_per_s=args.rate, repeats=args.repeats,
                         seed=args.seed, keep_data=args.keep_data,
                         kinds=tuple(args.only) if args.only else fault_kinds())
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console) as bar:
        stored = bar.add_task("messages stored", total=config.messages)
        faults = bar.add_task("faults done", total=None)
        replies = bar.add_task("replies requested", total=None)

        def tick(p: RunProgress) -> None:
            bar.update(stored, completed=p.stored, description=f"routed ({p.phase})")
            bar.update(faults, completed=p.faults_done, total=p.faults_total)
            bar.update(replies, completed=p.replies, total=p.replies or None)

        result = run_suite(config, tick)
    print_report(result, console, "{:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg()))
    return 0 if result.reconciliation.ok else 1


if __name__ == "__main__":
    sys.exit(main())
