"""The compose deployment: validated by compose itself where a client is present,
and checked to run exactly the commands the tests run."""
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from otg import runner
from shared import config

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def compose_command():
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


@pytest.mark.skipif(compose_command() is None, reason="no docker compose client on this machine")
def test_compose_file_validates():
    result = subprocess.run(compose_command() + ["config", "--quiet"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_service_runs_the_command_the_tests_run():
    services = compose()["services"]
    for name in config.SERVICES:
        assert services[name]["command"] == runner.command(name)


def test_every_service_has_its_database_health_check_and_restart_policy():
    services = compose()["services"]
    init_sql = (ROOT / "deploy/postgres/init.sql").read_text()
    for name in config.SERVICES:
        service = services[name]
        url = service["environment"][f"{name.upper()}_DATABASE_URL"]
        assert url.startswith("postgresql://") and url.endswith(f"/{name}")
        assert f"CREATE DATABASE {name};" in init_sql
        assert str(config.DEFAULT_PORTS[name]) in " ".join(service["healthcheck"]["test"])
        assert service["restart"] == "unless-stopped"
        assert "ports" not in service  # reached through the proxy only
    assert "rabbitmq:3" in services["rabbitmq"]["image"] and "management" in services["rabbitmq"]["image"]


def test_only_the_proxy_publishes_ports_and_only_it_is_trusted_to_forward_addresses():
    services = compose()["services"]
    published = {name: service["ports"] for name, service in services.items() if "ports" in service}
    assert set(published) == {"proxy", "rabbitmq"}
    assert published["rabbitmq"] == ["127.0.0.1:15672:15672"]
    assert {"8004:8004", "8005:8005"} <= set(published["proxy"])
    assert all(port.startswith("${OTG_DEPARTMENT_BIND:-127.0.0.1}:800")
               for port in set(published["proxy"]) - {"8004:8004", "8005:8005"})
    proxy_address = services["proxy"]["networks"]["default"]["ipv4_address"]
    assert services["complaints"]["environment"]["OTG_TRUSTED_PROXIES"] == \
        f"${{OTG_TRUSTED_PROXIES:-{proxy_address}}}"
    env = dict(line.split("=", 1) for line in (ROOT / "deploy/example.env").read_text().splitlines()
               if line and not line.startswith("#"))
    assert env["OTG_TRUSTED_PROXIES"] == proxy_address
    nginx = (ROOT / "deploy/proxy/nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx  # overwritten, not appended
    assert all(f"proxy_pass http://{name}:{config.DEFAULT_PORTS[name]};" in nginx for name in config.SERVICES)


def test_the_image_default_command_is_a_service_command():
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    assert 'CMD ["nameko", "run", "--config", "shared/nameko.yaml", "services.registry.service"]' in dockerfile


def test_each_service_connects_to_the_broker_as_its_own_user():
    services = compose()["services"]
    for name in config.SERVICES:
        uri = services[name]["environment"]["AMQP_URI"]
        assert uri.startswith(f"amqp://otg-{name}:${{OTG_BROKER_PASSWORD_{name.upper()}:-}}@rabbitmq")
    setup, rabbitmq = services["broker-setup"], services["rabbitmq"]
    assert setup["command"][:3] == ["otg", "broker", "definitions"]
    assert rabbitmq["depends_on"]["broker-setup"]["condition"] == "service_completed_successfully"
    conf = (ROOT / "deploy/rabbitmq/otg.conf").read_text()
    assert "load_definitions = /etc/rabbitmq/otg/definitions.json" in conf
    assert "rabbitmq-definitions:/etc/rabbitmq/otg:ro" in rabbitmq["volumes"]


OPERATIONS = ROOT / "deploy" / "OPERATIONS.md"
CONFIG_COMMANDS = {"docker compose config --quiet": ["docker", "compose", "version"],
                   "docker-compose config -q": ["docker-compose", "version"]}


@pytest.mark.parametrize("command", CONFIG_COMMANDS)
def test_operations_gives_the_config_check_for_both_compose_clients(command):
    """Each command as OPERATIONS.md writes it; run with the client this machine has."""
    assert command in OPERATIONS.read_text()
    client = CONFIG_COMMANDS[command]
    if not shutil.which(client[0]) or subprocess.run(client, capture_output=True).returncode:
        pytest.skip(f"no {' '.join(client[:-1])} client on this machine")
    result = subprocess.run(command.split(), cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_proxy_caches_the_public_site_but_never_a_request_with_a_token():
    nginx = (ROOT / "deploy/proxy/nginx.conf").read_text()
    public = nginx[nginx.index("listen 8004;"):]
    assert "proxy_cache public_site;" in public and "proxy_cache_revalidate on;" in public
    assert "proxy_no_cache $http_authorization;" in public
    assert "proxy_cache_bypass $http_authorization;" in public
    assert nginx.count("proxy_cache ") == 1  # the departments' APIs and the form: never
