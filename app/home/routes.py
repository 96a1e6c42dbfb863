"""Each role's home page and the navigation it sees."""

from dataclasses import dataclass

from flask import redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.models import Role
from app.extensions import db
from app.home import bp
from app.orgs.models import OrgUnit, UnitKind
from app.orgs.queries import class_sizes, units_of_school, visible_courses


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str
    roles: tuple[Role, ...] = ()


# Later features add their entries here; `roles` empty means every signed-in user.
NAV_ITEMS = [
    NavItem("home.index", _l("Home")),
    NavItem("schedule_views.today", _l("Today"), (Role.STUDENT,)),
    NavItem("schedule_views.my_week", _l("Timetable"), (Role.TEACHER, Role.CLASS_TEACHER)),
    NavItem("schedule_views.overview", _l("Week overview"), (Role.ACADEMIC_AFFAIRS,)),
    NavItem("orgs.courses", _l("Courses")),
    NavItem("catalog.search", _l("Catalog"), (Role.TEACHER, Role.CLASS_TEACHER, Role.ACADEMIC_AFFAIRS, Role.ADMIN)),
    NavItem("catalog.my_resources", _l("My resources"), (Role.STUDENT,)),
    NavItem("orgs.school", _l("School"), (Role.ADMIN, Role.ACADEMIC_AFFAIRS, Role.TEACHER, Role.CLASS_TEACHER)),
    NavItem("orgs.people", _l("People"), (Role.ADMIN, Role.ACADEMIC_AFFAIRS)),
    NavItem("orgs.roster_import", _l("Roster import"), (Role.ADMIN,)),
    NavItem("catalog.sources", _l("Catalog sources"), (Role.ADMIN, Role.ACADEMIC_AFFAIRS)),
    NavItem("participation.my_record", _l("My participation"), (Role.STUDENT,)),
    NavItem("participation.not_reached", _l("Not reached"), (Role.CLASS_TEACHER, Role.ACADEMIC_AFFAIRS)),
    NavItem(
        "reports.dashboard_page",
        _l("Reports"),
        (Role.ACADEMIC_AFFAIRS, Role.ADMIN, Role.TEACHER, Role.CLASS_TEACHER),
    ),
    NavItem("orgs.audit_log", _l("Audit log"), (Role.ADMIN,)),
]


@bp.app_context_processor
def inject_nav():
    def nav_items():
        return [item for item in NAV_ITEMS if not item.roles or current_user.has_role(*item.roles)]

    return {"nav_items": nav_items}


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return _home()


def _home():
    user = current_user
    courses = db.session.scalars(visible_courses(user).limit(50)).all()
    context = {"courses": courses, "roles": user.roles}
    if user.has_role(Role.CLASS_TEACHER):
        class_ids = user.scoped_unit_ids(Role.CLASS_TEACHER)
        context["led_classes"] = [db.session.get(OrgUnit, class_id) for class_id in sorted(class_ids)]
    if user.has_role(Role.ADMIN, Role.ACADEMIC_AFFAIRS) and user.school_id:
        context["grades"] = db.session.scalars(units_of_school(user.school_id, UnitKind.GRADE)).all()
        context["classes"] = db.session.scalars(units_of_school(user.school_id, UnitKind.CLASS)).all()
        context["class_sizes"] = class_sizes(user.school_id)
    return render_template("home/index.html", **context)
