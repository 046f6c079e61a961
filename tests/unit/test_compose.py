"""The compose deployment: validated by compose itself where a client is present,
and checked to run exactly the commands the tests run."""
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from shared import config, runner

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
        port = config.DEFAULT_PORTS[name]  # published, perhaps on 127.0.0.1 only (the console)
        assert any(p.endswith(f"{port}:{port}") for p in service["ports"])
    assert "rabbitmq:3" in services["rabbitmq"]["image"] and "management" in services["rabbitmq"]["image"]


def test_the_image_default_command_is_a_service_command():
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    assert 'CMD ["nameko", "run", "--config", "shared/nameko.yaml", "services.registry.service"]' in dockerfile
