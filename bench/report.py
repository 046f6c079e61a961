"""Results and the table `make bench` prints."""
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    count: int
    seconds: float
    detail: str = ""
    target: float | None = None  # the share of the ceiling this part should reach

    @property
    def rate(self):
        return self.count / self.seconds if self.seconds > 0 else 0.0


def table(ceiling, parts):
    """The ceiling and each part, with its rate, its share of the ceiling and its target."""
    rows = [("part", "events", "seconds", "rate/s", "of ceiling", "target", "notes")]
    for result in [ceiling, *parts]:
        share = result.rate / ceiling.rate if ceiling.rate else 0.0
        target = "" if result.target is None else (
            f"≥ {result.target:.0%} {'met' if share >= result.target else 'MISSED'}")
        rows.append((result.name, f"{result.count:,}", f"{result.seconds:.2f}",
                     f"{result.rate:,.0f}", f"{share:.0%}", target, result.detail))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell.ljust(w) if i in (0, 5, 6) else cell.rjust(w)
                 for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def as_dict(ceiling, parts):
    return {result.name: {"events": result.count, "seconds": round(result.seconds, 3),
                          "rate": round(result.rate, 1),
                          "ratio": round(result.rate / ceiling.rate, 3) if ceiling.rate else None,
                          "target": result.target, "notes": result.detail}
            for result in [ceiling, *parts]}


def store_table(pairs, database="SQLite"):
    """otg's event store against the `eventsourcing` library."""
    rows = [(f"otg event store vs eventsourcing ({database})", "otg /s", "library /s", "ratio",
             "target")]
    for ours, library in pairs:
        ratio = ours.rate / library.rate if library.rate else 0.0
        met = "met" if ratio >= ours.target else "MISSED"
        rows.append((ours.name.removeprefix("otg store: "), f"{ours.rate:,.0f}",
                     f"{library.rate:,.0f}", f"{ratio:.2f}×", f"≥ {ours.target}× {met}"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if i in (0, 4) else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths))).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def latency_table(result):
    """The hazard chain: send → public case, its percentiles and its hops."""
    ms = lambda seconds: f"{seconds * 1000:,.1f}"  # noqa: E731
    head = (f"hazard → public case page ({result.count:,} at {result.rate:,.0f}/s)",
            "p50 ms", "p95 ms", "p99 ms", "target")
    target = f"p99 ≤ {result.target * 1000:.0f} ms {'met' if result.met else 'MISSED'}"
    rows = [head, ("finding sent → CaseExposed at an outside queue", ms(result.p(0.5)),
                   ms(result.p(0.95)), ms(result.p(0.99)), target)]
    for label, values in result.hops.items():
        rows.append(("  " + label, ms(result.p(0.5, values)), ms(result.p(0.95, values)),
                     ms(result.p(0.99, values)), ""))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) if i in (0, 4) else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths))).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.append(f"case pages answering 200: {result.pages:,} of {result.count:,}"
                 + (f"; {result.missing:,} cases never arrived" if result.missing else "")
                 + (f"; p99 of each round: {', '.join(ms(p) for p in result.rounds)} ms"
                    if len(result.rounds) > 1 else ""))
    if result.cpu_ms:
        lines.append("CPU per hazard (that round): " + ", ".join(
            f"{name} {ms:.1f} ms" for name, ms in result.cpu_ms.items())
            + f"; total {sum(result.cpu_ms.values()):.1f} ms")
    return "\n".join(lines)


def latency_dict(result):
    rounded = lambda values, share: round(result.p(share, values) * 1000, 2)  # noqa: E731
    return {"hazards": result.count, "rate": round(result.rate, 1), "missing": result.missing,
            "pages_200": result.pages, "target_p99_ms": result.target * 1000,
            "met": result.met, "p99_ms_of_rounds": [round(p * 1000, 2) for p in result.rounds],
            **{f"p{int(share * 100)}_ms": rounded(None, share) for share in (0.5, 0.95, 0.99)},
            "cpu_ms_per_hazard": {name: round(ms, 2) for name, ms in result.cpu_ms.items()},
            "hops_ms": {label: {"p50": rounded(values, 0.5), "p99": rounded(values, 0.99)}
                        for label, values in result.hops.items()}}
