"""The broker users' rules, without a broker (tests/integration/test_bus_access.py
checks them against RabbitMQ)."""
import re

import pytest

from otg import installation
from shared import busaccess
from shared.busaccess import AccessError

CATALOGUES = dict(installation.catalogues())


def test_password_hash_is_rabbitmqs_salted_sha256():
    # the example of RabbitMQ's documentation ("Credentials and Passwords")
    assert (busaccess.password_hash("test12", bytes.fromhex("908DC60A"))
            == "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR")


@pytest.mark.parametrize("password", [None, "", "short", "change-me-" + "x" * 30,
                                      "a" * 31, "p@ss/word:" + "x" * 30])
def test_weak_placeholder_or_uri_breaking_passwords_are_refused(password):
    with pytest.raises(AccessError):
        busaccess.check_password("registry", password)


def test_a_services_user_may_write_only_its_own_exchanges_and_queues():
    permission, topics = busaccess.service_access(
        "registry", {"inspection": {"HazardFound", "RectificationVerified"}})
    write, read = re.compile(permission["write"]), re.compile(permission["read"])
    configure = re.compile(permission["configure"])
    for own in ("registry.events", "registry.dead-letter", "dlq.registry.handle_x",
                "registry.from.inspection"):
        assert write.match(own) and configure.match(own), own
    for foreign in ("inspection.events", "amq.default", "disclosure.dead-letter",
                    "disclosure.from.inspection", "registry.from.inspection.x",
                    "evt-inspection-HazardFound--disclosure.handle_inspection_hazard_found",
                    "dlq.disclosure.handle_x", "registry.events.x"):
        assert not write.match(foreign) and not configure.match(foreign), foreign
    retired = "evt-inspection-HazardFound--registry.handle_inspection_hazard_found"
    assert configure.match(retired) and not write.match(retired)  # it may only delete it
    assert read.match("inspection.events") and not read.match("tasks.events")
    assert topics == [{"user": "otg-registry", "vhost": "/", "exchange": "inspection.events",
                       "write": "^$", "read": "^(HazardFound|RectificationVerified)$"}]


def test_an_integrator_reads_only_its_granted_types_and_writes_nowhere():
    grants = busaccess.parse_grants(["registry.InstitutionSuspended", " registry.InstitutionReinstated"],
                                    CATALOGUES)
    permission, [topic] = busaccess.integrator_access("acme", grants)
    assert not re.match(permission["write"], "registry.events")
    assert re.match(permission["read"], "registry.events") and re.match(permission["read"], "acme.feed")
    assert not re.match(permission["read"], "inspection.events")
    assert not re.match(topic["read"], "#") and re.match(topic["read"], "InstitutionSuspended")


@pytest.mark.parametrize("types, message", [
    (["registry.NoSuch"], "registry has no event 'NoSuch'"),
    (["payroll.Paid"], "no service 'payroll'"),
    ([" "], "grant at least one"),
])
def test_grants_name_existing_event_types(types, message):
    with pytest.raises(AccessError, match=message):
        busaccess.parse_grants(types, CATALOGUES)


@pytest.mark.parametrize("name", ["otg-registry", "registry", "inspection", "amq", "dlq",
                                  "Acme", "a", "acme corp", "acme.feed"])
def test_an_integrator_cannot_take_a_services_name_or_an_odd_one(name):
    with pytest.raises(AccessError):
        busaccess.integrator_access(name, {"registry": {"InstitutionSuspended"}})


def test_users_in_another_vhost_have_names_of_their_own():
    assert busaccess.service_user("tasks") == "otg-tasks"
    assert busaccess.service_user("tasks", "staging") == "otg-tasks.staging"
    uri = busaccess.uri_for("amqp://guest:guest@rabbit:5672/staging", "otg-tasks.staging", "pw")
    assert uri == "amqp://otg-tasks.staging:pw@rabbit:5672/staging"
