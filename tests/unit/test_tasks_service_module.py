"""`nameko run services.tasks.service` must find the tasks service and nothing else
(a class with entrypoints imported into the module would be run as a second service)."""
from nameko.cli.run import import_service


def test_nameko_run_finds_exactly_the_tasks_service():
    [service] = import_service("services.tasks.service")
    assert service.name == "tasks"
    handlers = sorted(name for name in dir(service) if name.startswith("handle_"))
    assert "handle_inspection_inspection_completed" in handlers
    assert "handle_disclosure_case_exposed" in handlers
    assert "handle_registry_list_filed" in handlers
