"""otg benchmarks (`make bench`): the raw broker ceiling, the outbox relay and
the whole path from an HTTP registration to an outside consumer, measured in
one run on the same broker, as ratios to the ceiling (ARCHITECTURE.md, Speed)."""
