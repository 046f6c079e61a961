"""`python -m bench` (`make bench`): see bench/README.md."""
import argparse
import json
import os
import platform
import sys
import tempfile
import time

import requests

from bench import (broker, ceiling, endtoend, eventstores, hazards, outbox, pipeline, queuetypes,
                   report)
from shared import config

QUICK = {"events": 2000, "appends": 500, "requests": 200, "rounds": 1, "aggregates": 0,
         "hazards": 100}
FULL = {"events": 20000, "appends": 5000, "requests": 3000, "rounds": 3, "aggregates": 3000,
        "hazards": 1000}


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a small run (about 10 s)")
    parser.add_argument("--events", type=int, help="messages for the ceiling and the relay")
    parser.add_argument("--appends", type=int, help="units of work for append → consumer")
    parser.add_argument("--requests", type=int, help="registrations over HTTP")
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument("--rounds", type=int, help="repeat each part, keep the best round")
    parser.add_argument("--aggregates", type=int,
                        help="aggregates saved against the eventsourcing library (0: skip)")
    parser.add_argument("--hazards", type=int,
                        help="critical hazards sent through registry, inspection and disclosure "
                             "(0: skip)")
    parser.add_argument("--hazard-rate", type=float, default=50.0, help="hazards per second")
    parser.add_argument("--amqp-uri", default=config.amqp_uri())
    parser.add_argument("--management", default=broker.MANAGEMENT,
                        help="RabbitMQ management API (makes the throwaway vhost)")
    parser.add_argument("--queue-types", action="store_true",
                        help="only compare classic and quorum queues (OTG_QUEUE_TYPE), in turns")
    parser.add_argument("--only", choices=("hazards",),
                        help="run only this part (the hazard chain: no ceiling, no stores)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--profile", metavar="PATH",
                        help="sample the registry with py-spy during the HTTP part "
                             "(speedscope JSON; raw collapsed stacks if PATH ends in .txt)")
    parser.add_argument("--profile-hazards", metavar="PATH",
                        help="sample the three services during the hazard part "
                             "(PATH with .<service> before its suffix; as --profile)")
    args = parser.parse_args(argv)
    for key, value in (QUICK if args.quick else FULL).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.only and (args.queue_types or not args.hazards):
        parser.error("--only hazards runs the hazard part: not with --queue-types or --hazards 0")
    return args


def header(args):
    overview = requests.get(f"{args.management}/api/overview", timeout=10).json()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    sizes = "" if args.only else (f"{args.events:,} messages, {args.appends:,} appends, "
                                  f"{args.requests:,} registrations, ")
    return (f"otg bench {time.strftime('%Y-%m-%d %H:%M')}: {os.cpu_count()} cores "
            f"(load {load}), Python {platform.python_version()}, "
            f"RabbitMQ {overview.get('rabbitmq_version', '?')}; "
            f"{sizes}{args.hazards:,} hazards at {args.hazard_rate:g}/s; "
            + (f"best of {long_rounds(args)}" if args.only else
               f"best of {args.rounds} ({long_rounds(args)} for HTTP and hazards)"))


def long_rounds(args):
    """The two parts that start services of their own run a round fewer (a minute each)."""
    return max(1, args.rounds - 1)


def run(args):
    with tempfile.TemporaryDirectory(prefix="otg-bench-") as data_dir, \
            broker.throwaway_vhost(args.amqp_uri, args.management) as amqp_uri:
        database_url = f"sqlite:///{data_dir}/relay.db"
        top = max((ceiling.measure(amqp_uri, args.events) for _ in range(args.rounds)),
                  key=lambda result: result.rate)
        relay = outbox.measure(amqp_uri, database_url, args.events, args.rounds)
        backbone = max((pipeline.measure(amqp_uri, f"sqlite:///{data_dir}/pipeline{n}.db",
                                         args.appends) for n in range(args.rounds)),
                       key=lambda result: result.rate)
        shared = max((pipeline.measure(amqp_uri, f"sqlite:///{data_dir}/pipeline-w{n}.db",
                                       args.appends, writers=eventstores.WRITERS)
                      for n in range(args.rounds)), key=lambda result: result.rate)
        e2e = endtoend.measure(amqp_uri, os.path.join(data_dir, "e2e"), broker.free_port(),
                               args.requests, args.clients, long_rounds(args), args.profile)
        stores = _stores(args, data_dir) if args.aggregates else None
        chain = _hazards(args, os.path.join(data_dir, "hazards")) if args.hazards else None
    return top, [relay, backbone, shared, e2e], stores, chain


def _stores(args, data_dir):
    """{database: [(otg, library)]} on SQLite and PostgreSQL (if it answers)."""
    replayed = max(1, args.aggregates // 6)
    figures = {"SQLite": eventstores.measure(data_dir, args.aggregates, replayed, args.rounds)}
    if figures["SQLite"] is None:
        return None
    postgres = eventstores.Postgres()
    try:
        figures["PostgreSQL"] = eventstores.measure(data_dir, args.aggregates, replayed,
                                                    args.rounds, postgres)
    except Exception as error:  # no server there: say so, keep the rest
        print(f"bench: PostgreSQL comparison skipped ({type(error).__name__}: {error})",
              file=sys.stderr)
    finally:
        postgres.drop()
    return figures


def _hazards(args, data_dir):
    """On a vhost of its own: nothing of the parts before lingers in its queues."""
    with broker.throwaway_vhost(args.amqp_uri, args.management) as amqp_uri:
        return hazards.measure(amqp_uri, data_dir, args.hazards, args.hazard_rate,
                               long_rounds(args), args.profile_hazards)


def main(argv=None):
    args = parse(argv)
    print(header(args), flush=True)
    if args.queue_types:
        return _queue_types(args)
    if args.only == "hazards":
        with tempfile.TemporaryDirectory(prefix="otg-bench-") as data_dir:
            top, parts, stores, chain = None, [], None, _hazards(args, data_dir)
        figures = {}
    else:
        top, parts, stores, chain = run(args)
        print(report.table(top, parts))
        figures = report.as_dict(top, parts)
    if stores:
        for database, pairs in stores.items():
            print()
            print(report.store_table(pairs, database))
            figures[f"event store ({database})"] = {
                ours.name: {"otg": round(ours.rate, 1), "eventsourcing": round(library.rate, 1),
                            "target": ours.target} for ours, library in pairs}
    elif args.aggregates and not args.only:
        print("\n(eventsourcing is not installed: pip install -e '.[bench]' to compare the store)")
    if chain:
        print()
        print(report.latency_table(chain))
        figures[chain.name] = report.latency_dict(chain)
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2, ensure_ascii=False)
    return 0


def _queue_types(args):
    with tempfile.TemporaryDirectory(prefix="otg-bench-") as data_dir:
        figures = queuetypes.measure(args, data_dir)
    print(queuetypes.table(figures))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"queue types": figures}, out, indent=2, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
