"""The console's events: officer accounts (who could act when). Names, certificate
numbers and password hashes stay in the console's private tables (accounts.py):
events carry the officer's id only."""
from marshmallow import validate

from shared.events import Catalogue, Event, EventSchema, fields
from shared.vocabulary import DEPARTMENTS, DISTRICTS, ROLES

OfficerId = lambda: fields.Str(required=True, validate=validate.Length(min=1, max=40))  # noqa: E731
SCHOOL_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}\Z"  # the tasks service's school ids
SchoolId = lambda: fields.Str(load_default=None, allow_none=True, validate=validate.Regexp(SCHOOL_ID), metadata={  # noqa: E731
    "description": "a school account's school (the tasks service's school id); none for other roles"})
REFUSALS = ("wrong_password", "disabled", "throttled")


class OfficerAdded(Event):
    """An operator added a named officer account (`otg officers add`)."""

    class Schema(EventSchema):
        officer_id = OfficerId()
        role = fields.Str(required=True, validate=validate.OneOf(ROLES))
        department = fields.Str(required=True, validate=validate.OneOf(DEPARTMENTS))
        district = fields.Str(required=True, validate=validate.OneOf(DISTRICTS))
        certified = fields.Bool(load_default=False, metadata={
            "description": "holds an enforcement certificate (the number stays in the console)"})
        school_id = SchoolId()


class OfficerRoleChanged(Event):
    """The officer's role, department or district changed."""

    class Schema(EventSchema):
        officer_id = OfficerId()
        role = fields.Str(required=True, validate=validate.OneOf(ROLES))
        department = fields.Str(required=True, validate=validate.OneOf(DEPARTMENTS))
        district = fields.Str(required=True, validate=validate.OneOf(DISTRICTS))
        school_id = SchoolId()


class OfficerDisabled(Event):
    """The account can no longer sign in; its sessions end at once."""

    class Schema(EventSchema):
        officer_id = OfficerId()


class OfficerPasswordReset(Event):
    """An operator issued a one-time password; it must be changed at the next sign-in."""

    class Schema(EventSchema):
        officer_id = OfficerId()


class OfficerPasswordChanged(Event):
    """The officer chose a new password."""

    class Schema(EventSchema):
        officer_id = OfficerId()


class OfficerSignedIn(Event):
    """The officer signed in to the console."""

    class Schema(EventSchema):
        officer_id = OfficerId()


class SignInRefused(Event):
    """A sign-in to a known account was refused."""

    class Schema(EventSchema):
        officer_id = OfficerId()
        reason = fields.Str(required=True, validate=validate.OneOf(REFUSALS))


class OfficerSignedOut(Event):
    """The officer signed out."""

    class Schema(EventSchema):
        officer_id = OfficerId()


CATALOGUE = Catalogue(
    "console", OfficerAdded, OfficerRoleChanged, OfficerDisabled, OfficerPasswordReset,
    OfficerPasswordChanged, OfficerSignedIn, SignInRefused, OfficerSignedOut)
