"""The console's form input (every form posts its CSRF token as `csrf`)."""
from marshmallow import EXCLUDE, Schema, fields, validate

Text = lambda n, **kw: fields.Str(validate=validate.Length(min=1, max=n), **kw)  # noqa: E731


class Form(Schema):
    class Meta:
        unknown = EXCLUDE


class SignInForm(Form):
    login = Text(60, required=True)
    password = Text(200, required=True)
    next = fields.Str(load_default="/")


class PasswordForm(Form):
    current = Text(200, required=True)
    password = Text(200, required=True)
    repeated = Text(200, required=True)
