"""Pages for the school's structure, its courses and people, and the audit log."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.auth import operations as accounts
from app.auth.models import Role, User
from app.core.audit import AuditEntry
from app.core.pagination import page_args, paginate
from app.core.permissions import require
from app.extensions import db
from app.orgs import bp
from app.orgs.current import current_school
from app.orgs.models import Course, OrgUnit, UnitKind
from app.orgs.queries import class_sizes, people_of_school, units_of_school, visible_courses


@bp.route("/school")
@login_required
def school():
    school = current_school()
    require(current_user, "school.structure.view", school)
    grades = db.session.scalars(units_of_school(school.id, UnitKind.GRADE)).all()
    classes = db.session.scalars(units_of_school(school.id, UnitKind.CLASS)).all()
    by_grade: dict[int | None, list[OrgUnit]] = {}
    for unit in classes:
        by_grade.setdefault(unit.parent_id, []).append(unit)
    return render_template(
        "orgs/school.html", school=school, grades=grades, by_grade=by_grade, sizes=class_sizes(school.id)
    )


@bp.route("/classes/<int:unit_id>")
@login_required
def class_detail(unit_id: int):
    unit = db.get_or_404(OrgUnit, unit_id)
    require(current_user, "unit.view", unit)
    students = unit.students if current_user.has_role(*STAFF_ROLES) else []
    courses = db.session.scalars(select(Course).where(Course.classes.contains(unit)).order_by(Course.name)).all()
    courses = [c for c in courses if _may_view_course(c)]
    return render_template("orgs/class.html", unit=unit, students=students, courses=courses)


STAFF_ROLES = (Role.ADMIN, Role.ACADEMIC_AFFAIRS, Role.TEACHER, Role.CLASS_TEACHER)


def _may_view_course(course) -> bool:
    from app.core.permissions import can

    return can(current_user, "course.view", course)


@bp.route("/courses")
@login_required
def courses():
    page = paginate(db.session, visible_courses(current_user), *page_args())
    return render_template("orgs/courses.html", page=page)


@bp.route("/courses/<int:course_id>")
@login_required
def course_detail(course_id: int):
    course = db.get_or_404(Course, course_id)
    require(current_user, "course.view", course)
    return render_template("orgs/course.html", course=course)


@bp.route("/people")
@login_required
def people():
    school = current_school()
    if not current_user.has_role(Role.ADMIN, Role.ACADEMIC_AFFAIRS):
        abort(403)
    role = request.args.get("role") or None
    if role not in {r.value for r in Role}:
        role = None
    query = people_of_school(school.id, request.args.get("q"), role)
    page = paginate(db.session, query, *page_args())
    return render_template("orgs/people.html", page=page, roles=list(Role), selected_role=role)


@bp.route("/people/<int:user_id>/reset-password", methods=["POST"])
@login_required
def reset_password(user_id: int):
    user = db.get_or_404(User, user_id)
    require(current_user, "user.manage", user.school)
    temporary = accounts.reset_password(current_user, user)
    flash(_("Temporary password for %(name)s: %(password)s", name=user.name, password=temporary), "token")
    return redirect(request.referrer or url_for("orgs.people"))


@bp.route("/people/<int:user_id>/disable", methods=["POST"])
@login_required
def set_disabled(user_id: int):
    user = db.get_or_404(User, user_id)
    require(current_user, "user.manage", user.school)
    disabled = request.form.get("disabled") == "1"
    try:
        accounts.set_account_disabled(current_user, user, disabled)
    except accounts.AccountError as error:
        flash(str(error), "danger")
        return redirect(url_for("orgs.people"))
    flash(_("Account disabled.") if disabled else _("Account enabled."), "success")
    return redirect(request.referrer or url_for("orgs.people"))


@bp.route("/audit")
@login_required
def audit_log():
    school = current_school()
    require(current_user, "audit.view", school)
    query = select(AuditEntry).where(AuditEntry.school_id == school.id).order_by(AuditEntry.id.desc())
    action = (request.args.get("action") or "").strip()
    if action:
        query = query.where(AuditEntry.action.startswith(action))
    page = paginate(db.session, query, *page_args())
    return render_template("orgs/audit.html", page=page, action=action)
