"""A completed check that found nothing has no rectification order: its on-site record
is issued all the same (found through the console: it answered 500)."""
from services.console import documents as docs
from services.console.events import CATALOGUE
from shared.auth import Actor
from shared.store import EventStore


def test_a_record_of_an_inspection_without_findings_is_issued_without_an_order(tmp_path):
    store = EventStore(f"sqlite:///{tmp_path / 'console.db'}", CATALOGUE)
    store.create()
    docs.metadata.create_all(store.engine)
    inspection = {"id": "i-1", "district": "371002", "kind": "safety", "departments": ["fire"],
                  "status": "completed", "institution_id": None, "site_name": "某培训点",
                  "site_address": "环翠区某路 1 号", "modes": [], "findings": [],
                  "scheduled_at": "2024-01-20T01:00:00Z", "completed_at": "2024-01-20T02:00:00Z"}
    officer = {"officer_id": "of-1", "name": "李消防", "certificate": "鲁威执37100219001"}
    document = docs.issue("inspection_record", inspection, None, [officer], store,
                          Actor("inspector", "fire", "371002", officer="of-1"))
    assert "现场检查笔录" in document.html and "李消防" in document.html
