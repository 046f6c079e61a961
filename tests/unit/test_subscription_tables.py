"""Each service's subscription table is what it follows, under the handler names its
inbox entries, dead-letter queues and metrics carried before the tables."""
import importlib

import pytest

from otg import installation
from shared.messaging import OtgEventHandler

SERVICES = ("registry", "inspection", "complaints", "tasks", "disclosure")


@pytest.mark.parametrize("service", SERVICES)
def test_nothing_is_followed_outside_the_subscription_table(service):
    table = importlib.import_module(f"services.{service}.subscriptions").SUBSCRIPTIONS
    followed = {(source, name) for source, names in installation.follows(service).items()
                for name in names}
    assert followed == set(table)


def test_a_row_keeps_the_handler_name_of_before():
    from services.disclosure.service import DisclosureService
    [entrypoint] = DisclosureService.handle_inspection_hazard_found.nameko_entrypoints
    assert isinstance(entrypoint, OtgEventHandler)
    assert (entrypoint.source_service, entrypoint.event_type) == ("inspection", "HazardFound")
