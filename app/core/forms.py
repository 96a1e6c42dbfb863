"""The base of every HTML form."""

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _is_submitted
from werkzeug.datastructures import ImmutableMultiDict


class Form(FlaskForm):
    """A FlaskForm that reads only form fields.

    Flask-WTF would read a JSON body as the form's data, and fails (a 500) on JSON that is not
    an object or holds nested values. The pages post forms; the API has its own schemas. A JSON
    body is therefore read as an empty form, answered with the usual "field required" errors.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is _Auto and _is_submitted() and request.is_json and not request.files:
                return ImmutableMultiDict()
            return super().wrap_formdata(form, formdata)
