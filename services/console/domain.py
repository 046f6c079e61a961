"""Officer accounts: who may sign in, with which role, department and district.
No I/O here: commands check the rules and trigger events."""
import re
import secrets

from shared.aggregate import Aggregate, applies
from shared.errors import BadRequest, Conflict
from shared.vocabulary import DEPARTMENTS, DISTRICTS, ROLES

from . import events as ev


def check_claims(role, department, district, school_id=None):
    errors = {}
    if role == "school" and not school_id:
        errors["school"] = ["a school account needs its school's id (--school)"]
    elif role != "school" and school_id:
        errors["school"] = ["only a school account (--role school) has a school"]
    elif school_id and not re.match(ev.SCHOOL_ID, school_id):
        errors["school"] = ["letters, digits, . _ - only (max 60), as in the tasks service's school list"]
    if role not in ROLES:
        errors["role"] = [f"must be one of {', '.join(ROLES)}"]
    if department not in DEPARTMENTS:
        errors["department"] = [f"must be one of {', '.join(DEPARTMENTS)}"]
    if district not in DISTRICTS:
        errors["district"] = [f"must be one of {', '.join(DISTRICTS)}"]
    if errors:
        raise BadRequest("invalid officer", errors)


class Officer(Aggregate):
    def __init__(self, id):
        super().__init__(id)
        self.role = self.department = self.district = None
        self.disabled = False
        self.must_change_password = True  # until the officer sets their own

    @classmethod
    def add(cls, role, department, district, certified=False, officer_id=None, school_id=None):
        check_claims(role, department, district, school_id)
        officer = cls(officer_id or new_id())
        officer.trigger(ev.OfficerAdded, officer_id=officer.id, role=role, department=department,
                        district=district, certified=certified, school_id=school_id)
        return officer

    # -- commands -----------------------------------------------------------
    def change_role(self, role, department, district, school_id=None):
        check_claims(role, department, district, school_id)
        self._require_enabled()
        self.trigger(ev.OfficerRoleChanged, officer_id=self.id, role=role,
                     department=department, district=district, school_id=school_id)

    def disable(self):
        if not self.disabled:
            self.trigger(ev.OfficerDisabled, officer_id=self.id)

    def reset_password(self):
        self._require_enabled()
        self.trigger(ev.OfficerPasswordReset, officer_id=self.id)

    def change_password(self):
        self._require_enabled()
        self.trigger(ev.OfficerPasswordChanged, officer_id=self.id)

    def sign_in(self):
        self.trigger(ev.OfficerSignedIn, officer_id=self.id)

    def refuse_sign_in(self, reason):
        self.trigger(ev.SignInRefused, officer_id=self.id, reason=reason)

    def sign_out(self):
        self.trigger(ev.OfficerSignedOut, officer_id=self.id)

    def _require_enabled(self):
        if self.disabled:
            raise Conflict(f"officer {self.id} is disabled")

    # -- state ----------------------------------------------------------------
    @applies(ev.OfficerAdded)
    def _added(self, event):
        self.role, self.department, self.district = event.role, event.department, event.district

    @applies(ev.OfficerRoleChanged)
    def _role_changed(self, event):
        self.role, self.department, self.district = event.role, event.department, event.district

    @applies(ev.OfficerDisabled)
    def _disabled(self, event):
        self.disabled = True

    @applies(ev.OfficerPasswordReset)
    def _reset(self, event):
        self.must_change_password = True

    @applies(ev.OfficerPasswordChanged)
    def _changed(self, event):
        self.must_change_password = False


def new_id():
    """A short officer number (工号-like), never a name."""
    return "of-" + secrets.token_hex(4)


def one_time_password():
    """Twelve characters an officer can type from a printout (no 0/O, 1/l)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))
