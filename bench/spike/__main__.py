"""Promotion spike through the real front door, with 1, 2 and 3 workers per stream service.

    scripts/uv run --frozen --all-packages python -m bench.spike \\
        --baseline 50 --spike-factor 10 --spike-seconds 30 --workers 1,2,3

For each worker count it starts an isolated stack (own topics, database, ports) on the
shared Kafka and MongoDB server, warms it up, offers a baseline rate, a spike of
``--spike-factor`` times it and the baseline again as batches to ``POST /v1/messages``
(a share of the spike one question in varied words, from many customers of the brand)
while a scripted agent replies to a sample of new conversations, samples consumer lag,
topic offsets, CPU and memory every second, waits for the lag to drain, reads each
message's latency from MongoDB, reads the incidents and clusters as a supervisor (time from
the burst's start to its incident, the burst's recall and precision in its clusters), then
stops the stack and deletes its topics and database.
The broker's own produce -> consume rate is measured first, for the ratio.
"""

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from bench.common import console
from bench.spike.plot import plot
from bench.spike.raw_kafka import round_trip
from bench.spike.report import load_runs, markdown, print_tables, save_json, summarize
from bench.spike.run import Options, load_average, spike_run
from bench.spike.source import TWCS_SAMPLE, load_templates
from bench.spike.traffic import TrafficModel
from socialcare_local.infra import ensure_infra


def worker_counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"expected worker counts like 1,2,3, not {text!r}")
    return counts


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.spike", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", type=float, default=50.0, help="messages/s (50)")
    parser.add_argument("--spike-factor", type=float, default=10.0, help="times baseline (10)")
    parser.add_argument("--before-seconds", type=float, default=10.0, help="baseline first (10)")
    parser.add_argument("--spike-seconds", type=float, default=30.0, help="spike length (30)")
    parser.add_argument("--after-seconds", type=float, default=60.0,
                        help="baseline after the spike (60: the drain aim)")
    parser.add_argument("--workers", type=worker_counts, default=[1, 2, 3],
                        help="worker counts per stream service to run (1,2,3)")
    parser.add_argument("--burst-share", type=float, default=0.5,
                        help="share of the spike's messages that are one question in varied "
                             "words, each from a new customer (0.5; 0 for none)")
    parser.add_argument("--incident-wait", type=float, default=180.0,
                        help="after draining, wait at most this long for the burst's "
                             "incident to close (180 s)")
    parser.add_argument("--reply-share", type=float, default=0.02,
                        help="share of new conversations the scripted agent answers (0.02)")
    parser.add_argument("--drain-threshold", type=int, default=100,
                        help="lag per group counted as drained (100 records)")
    parser.add_argument("--max-drain-seconds", type=float, default=60.0,
                        help="then wait at most this long, offering nothing, for the lag (60)")
    parser.add_argument("--raw-records", type=int, default=50_000,
                        help="records of the raw Kafka round trip (50,000)")
    parser.add_argument("--twcs", type=Path, default=TWCS_SAMPLE,
                        help="TWCS-format CSV of real customer text (else the demo set)")
    parser.add_argument("--out", type=Path, default=Path("bench/results/spike"))
    parser.add_argument("--plot-only", type=Path, metavar="SPIKE_JSON",
                        help="only draw the plot again from a spike.json, into --out")
    return parser.parse_args()


def main() -> None:
    args = arguments()
    if args.plot_only:
        plot(load_runs(args.plot_only), args.out / "spike.png")
        console.print(f"plot: {args.out / 'spike.png'}")
        return
    model = TrafficModel(args.baseline, args.spike_factor, args.before_seconds,
                         args.spike_seconds, args.after_seconds)
    templates, origin = load_templates(args.twcs)
    endpoints = ensure_infra(console=console)
    args.out.mkdir(parents=True, exist_ok=True)
    console.print(f"messages: {origin}; load average {load_average()}")
    raw = round_trip(endpoints.kafka_bootstrap, args.raw_records)
    console.print(f"raw Kafka round trip: {raw.rate:,.0f} records/s ({raw.records:,} records "
                  f"of {raw.record_bytes} B, produce alone {raw.records / raw.produce_s:,.0f}/s)")
    options = Options(model, templates, args.reply_share, args.drain_threshold,
                      args.max_drain_seconds, state_root=args.out / "stacks",
                      burst_share=args.burst_share, incident_wait_s=args.incident_wait)
    results, summaries = [], []
    for workers in args.workers:
        result = spike_run(endpoints, workers, options)
        results.append(result)
        summaries.append(summarize(result, args.drain_threshold, raw.rate))
        # Written after every run, so an interrupted benchmark keeps what it measured.
        save_json(args.out / "spike.json", summaries, results)
        plot(results, args.out / "spike.png")
    text = (f"{args.baseline:g}/s, then {args.spike_factor:g}x for {args.spike_seconds:g} s, "
            f"then back ({args.before_seconds:g} s + {args.spike_seconds:g} s + "
            f"{args.after_seconds:g} s), {origin}")
    print_tables(summaries, text)
    (args.out / "summary.md").write_text(f"{text}\n\n{markdown(summaries)}")
    (args.out / "summary.json").write_text(json.dumps(
        {"at": datetime.now(UTC).isoformat(), "model": text, "raw": raw.rate,
         "summaries": summaries}, indent=1, default=str))
    console.print(f"plot: {args.out / 'spike.png'}; data: {args.out / 'spike.json'}")


if __name__ == "__main__":
    main()
