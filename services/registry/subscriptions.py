"""What the registry reacts to: inspection's findings suspend and black-list
institutions; a verified rectification lifts the suspension the findings held.
The policies decide; each reaction carries the decision out on the institution."""
import logging

from . import mirror, policies
from .domain import Institution

log = logging.getLogger(__name__)


def hazard_found(uow, event):
    institution = _institution(uow, event)
    suspend = policies.suspension_for_hazard(institution, event.data, event.id)
    if suspend:
        institution.suspend(suspend.reason, suspend.source_event_id)
        institution.open_review(suspend.reason, suspend.source_event_id)
        if suspend.holds:
            mirror.finding_holds(uow.conn, institution.id, event.data, suspend.holds)
        uow.save(institution)


def rectification_ordered(uow, event):
    """Remembers which findings the order covers."""
    _institution(uow, event)
    mirror.order_recorded(uow.conn, event.data)


def rectification_verified(uow, event):
    institution = _institution(uow, event)
    mirror.order_verified(uow.conn, event.data)
    reinstate = policies.reinstatement(
        institution, mirror.holding(uow.conn, institution.id, institution.suspended_for),
        mirror.rectified(uow.conn, institution.id), event.id)
    if reinstate:
        institution.reinstate(reinstate.source_event_id)
        uow.save(institution)


def unlicensed_operation_found(uow, event):
    if not event.data.get("institution_id"):
        log.warning("unlicensed operation of an unregistered institution in %s: nothing to "
                    "black-list in the registry", event.data.get("district"))
        return
    institution = _institution(uow, event)
    stop = policies.stop_for_unlicensed_operation(institution, event.id)
    if stop:
        institution.blacklist_for_unlicensed_operation(stop.reason, stop.source_event_id)
        institution.suspend(stop.stop_reason, stop.source_event_id)
        uow.save(institution)


def _institution(uow, event):
    """The institution the event is about (NotFound, a failed delivery, when unknown)."""
    return uow.load(Institution, event.data["institution_id"])


SUBSCRIPTIONS = {
    ("inspection", "HazardFound"): hazard_found,
    ("inspection", "RectificationOrdered"): rectification_ordered,
    ("inspection", "RectificationVerified"): rectification_verified,
    ("inspection", "UnlicensedOperationFound"): unlicensed_operation_found,
}
