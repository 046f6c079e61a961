"""What the registry reacts to: inspection's findings suspend and black-list
institutions; a verified rectification lifts the suspension the findings held."""
import logging

from . import mirror, policies
from .domain import Institution

log = logging.getLogger(__name__)


def hazard_found(uow, event):
    def react(institution):
        suspension = policies.on_hazard_found(institution, event.data, event.id)
        if suspension:
            mirror.finding_holds(uow.conn, institution.id, event.data, suspension)
    _react(uow, event, react)


def rectification_ordered(uow, event):
    """Remembers which findings the order covers."""
    _react(uow, event, lambda institution: mirror.order_recorded(uow.conn, event.data))


def rectification_verified(uow, event):
    def react(institution):
        mirror.order_verified(uow.conn, event.data)
        policies.on_rectification(
            institution, mirror.holding(uow.conn, institution.id, institution.suspended_for),
            mirror.rectified(uow.conn, institution.id), event.id)
    _react(uow, event, react)


def unlicensed_operation_found(uow, event):
    if not event.data.get("institution_id"):
        log.warning("unlicensed operation of an unregistered institution in %s: nothing to "
                    "black-list in the registry", event.data.get("district"))
        return
    _react(uow, event, lambda institution: policies.on_unlicensed_operation(
        institution, event.data, event.id))


def _react(uow, event, decide):
    institution = uow.load(Institution, event.data["institution_id"])
    decide(institution)
    uow.save(institution)


SUBSCRIPTIONS = {
    ("inspection", "HazardFound"): hazard_found,
    ("inspection", "RectificationOrdered"): rectification_ordered,
    ("inspection", "RectificationVerified"): rectification_verified,
    ("inspection", "UnlicensedOperationFound"): unlicensed_operation_found,
}
