"""What inspection reacts to: the registry's institutions (shared.directory) and the
complaints that ask for a check on site."""
from shared import directory

from . import policies
from . import projections as views
from .domain import Inspection


def verification_requested(uow, event):
    """A complaint to verify becomes a check on site of its institution."""
    institution_id = event.data.get("institution_id")
    known = views.directory_entry(uow.conn, institution_id) if institution_id else None
    uow.save(Inspection.schedule(**policies.verification_check(event.data, known)))


SUBSCRIPTIONS = {
    **directory.SUBSCRIPTIONS,
    ("complaints", "VerificationRequested"): verification_requested,
}
