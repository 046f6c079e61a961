"""Prometheus metrics of one service: events appended and published, relay lag,
deliveries skipped as handled already, handler failures, dead-lettered messages and
events read from other services' feeds (one registry per service container)."""
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

CONTENT_TYPE = CONTENT_TYPE_LATEST


class _StoreCollector:
    """Read at scrape time from the store itself, so the numbers survive restarts."""

    def __init__(self, store):
        self.store = store

    def collect(self):
        appended = self.store.last_position()
        published = self.store.cursor("relay")
        yield CounterMetricFamily("otg_events_appended", "events appended to the store",
                                  value=appended)
        yield CounterMetricFamily("otg_events_published", "events confirmed by the broker",
                                  value=published)
        yield GaugeMetricFamily("otg_relay_lag_events", "events committed but not yet confirmed",
                                value=appended - published)
        skipped = CounterMetricFamily("otg_events_skipped", "deliveries of events handled "
                                      "already (redeliveries, feed and bus both)", labels=["consumer"])
        for consumer, count in sorted(self.store.skipped.items()):
            skipped.add_metric([consumer], count)
        yield skipped


class ServiceMetrics:
    def __init__(self, store):
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(_StoreCollector(store))
        self.handler_failures = Counter(
            "otg_handler_failures", "event-handler attempts that raised", ["consumer"],
            registry=self.registry)
        self.dead_lettered = Counter(
            "otg_dead_lettered", "messages parked in a dead-letter queue", ["consumer"],
            registry=self.registry)
        self.feed_events_read = Counter(
            "otg_feed_events_read", "events read from a source's /events feed while catching up "
            "(after a restart: only what was published while the service was down)", ["source"],
            registry=self.registry)

    def render(self):
        return generate_latest(self.registry)
