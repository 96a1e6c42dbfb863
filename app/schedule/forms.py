"""Forms of the scheduling pages. Times are entered on the viewer's clock (one-off sessions)
or the school's clock (weekly series), and converted to UTC before any operation sees them."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
    widgets,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.core.forms import Form
from app.schedule.policy_index import zone

WEEKDAYS = [
    ("0", _l("Monday")),
    ("1", _l("Tuesday")),
    ("2", _l("Wednesday")),
    ("3", _l("Thursday")),
    ("4", _l("Friday")),
    ("5", _l("Saturday")),
    ("6", _l("Sunday")),
]
SCOPE_CHOICES = [
    ("one", _l("Only this lesson")),
    ("following", _l("This and the following lessons")),
    ("all", _l("All lessons of the series not yet begun")),
]


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SessionForm(Form):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    day = DateField(_l("Date (or first day of a series)"), validators=[DataRequired()])
    start = TimeField(_l("Start time"), validators=[DataRequired()])
    minutes = IntegerField(_l("Length (minutes)"), validators=[DataRequired(), NumberRange(min=1, max=720)])
    join_url = StringField(_l("Video link (Tencent Meeting, Zoom, BigBlueButton, Jitsi...)"), validators=[Optional()])
    class_ids = CheckboxesField(_l("Classes"), coerce=int)
    repeat = BooleanField(_l("Repeat weekly"))
    weekdays = CheckboxesField(_l("Days of the week"), choices=WEEKDAYS)
    until = DateField(_l("Until (inclusive)"), validators=[Optional()])
    count = IntegerField(_l("Or number of lessons"), validators=[Optional(), NumberRange(min=1, max=400)])
    exception_reason = TextAreaField(_l("Approve an exception: reason"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Schedule"))

    def starts_at(self, tz_name: str) -> datetime:
        return datetime.combine(self.day.data, self.start.data, tzinfo=zone(tz_name))

    def operation_data(self, viewer_tz: str) -> dict:
        data = {
            "title": self.title.data,
            "minutes": self.minutes.data,
            "join_url": self.join_url.data,
            "class_ids": self.class_ids.data or None,
            "exception_reason": self.exception_reason.data or None,
        }
        if self.repeat.data:
            data.update(
                weekdays=[int(day) for day in self.weekdays.data],
                start_time=self.start.data,
                starts_on=self.day.data,
                until=self.until.data,
                count=self.count.data,
            )
        else:
            data["starts_at"] = self.starts_at(viewer_tz)
        return data


class EditSessionForm(Form):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    day = DateField(_l("Date"), validators=[DataRequired()])
    start = TimeField(_l("Start time"), validators=[DataRequired()])
    minutes = IntegerField(_l("Length (minutes)"), validators=[DataRequired(), NumberRange(min=1, max=720)])
    join_url = StringField(_l("Video link"), validators=[Optional()])
    scope = SelectField(_l("Apply to"), choices=SCOPE_CHOICES, default="one")
    exception_reason = TextAreaField(_l("Approve an exception: reason"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save changes"))


class CancelForm(Form):
    reason = TextAreaField(_l("Reason (sent to students and teachers)"), validators=[Optional(), Length(max=500)])
    scope = SelectField(_l("Cancel"), choices=SCOPE_CHOICES, default="one")
    submit = SubmitField(_l("Cancel the lesson"))


class ExceptionForm(Form):
    rule = SelectField(_l("Rule"))
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Approve exception"))
