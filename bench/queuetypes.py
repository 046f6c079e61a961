"""The cost of a queue type (OTG_QUEUE_TYPE): classic and quorum in turns, each
round on a fresh vhost — append → relay → consumer into a sink queue of the
type, and the hazard chain (registry, inspection, disclosure as processes, each
declaring its queues with the type). Turns alternate so that a machine whose load
drifts (other people's work) weighs on both types alike; medians are reported."""
import os
import statistics
from contextlib import contextmanager

from bench import broker, hazards, pipeline
from shared import broker as queues, config


@contextmanager
def queue_type(kind):
    """Services started inside see OTG_QUEUE_TYPE=kind (runner.start passes os.environ)."""
    before = os.environ.get("OTG_QUEUE_TYPE")
    os.environ["OTG_QUEUE_TYPE"] = kind
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("OTG_QUEUE_TYPE")
        else:
            os.environ["OTG_QUEUE_TYPE"] = before


def measure(args, data_dir):
    """{kind: {"append → consumer /s": [...], "hazard p50 ms": [...], "hazard p99 ms": [...]}}"""
    figures = {kind: {} for kind in config.QUEUE_TYPES}
    for turn in range(args.rounds):
        for kind in config.QUEUE_TYPES if turn % 2 == 0 else reversed(config.QUEUE_TYPES):
            with queue_type(kind), broker.throwaway_vhost(args.amqp_uri, args.management) as uri:
                result = pipeline.measure(uri, f"sqlite:///{data_dir}/{kind}{turn}.db",
                                          args.appends, queues.queue_arguments())
                _add(figures[kind], "append → consumer /s", result.rate)
            if not args.hazards:
                continue
            with queue_type(kind), broker.throwaway_vhost(args.amqp_uri, args.management) as uri:
                chain = hazards.measure(uri, os.path.join(data_dir, f"hazards-{kind}{turn}"),
                                        args.hazards, args.hazard_rate)
                _add(figures[kind], "hazard p50 ms", chain.p(0.5) * 1000)
                _add(figures[kind], "hazard p99 ms", chain.p(0.99) * 1000)
                _add(figures[kind], "hazards missing", chain.missing)
    return figures


def _add(figures, name, value):
    figures.setdefault(name, []).append(value)


def table(figures):
    """Medians per type, and quorum ÷ classic."""
    classic, quorum = figures["classic"], figures["quorum"]
    rows = [("measure", "classic", "quorum", "quorum ÷ classic", "rounds (classic | quorum)")]
    for name in classic:
        a, b = statistics.median(classic[name]), statistics.median(quorum[name])
        ratio = f"{b / a:.2f}" if a else "-"
        rounds = (" ".join(f"{v:,.0f}" for v in classic[name]) + " | "
                  + " ".join(f"{v:,.0f}" for v in quorum[name]))
        rows.append((name, f"{a:,.1f}", f"{b:,.1f}", ratio, rounds))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths))
                     for row in rows)
