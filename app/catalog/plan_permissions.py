"""Who may upload school resources and manage an upload, and who may plan a course's resources.

The catalog's own rules (viewing, splitting, sources) live in app/catalog/permissions.py.
"""

from app.auth.models import Role
from app.core.permissions import rule
from app.orgs.permissions import is_school_staff

UPLOADER_ROLES = (Role.TEACHER, Role.CLASS_TEACHER, Role.ACADEMIC_AFFAIRS, Role.ADMIN)


@rule("resource.upload")
def can_upload_resource(user, school) -> bool:
    """Teachers and school staff add their own materials to their school's catalog."""
    school_id = getattr(school, "effective_school_id", None) or getattr(school, "id", None)
    return school_id is not None and user.school_id == school_id and user.has_role(*UPLOADER_ROLES)


@rule("resource.upload.manage")
def can_manage_uploaded_resource(user, resource) -> bool:
    """An uploaded file is changed or deleted by whoever uploaded it, or by the school's staff."""
    if resource is None or resource.storage_key is None:
        return False
    if is_school_staff(user, resource.school_id):
        return True
    return resource.uploaded_by_id == user.id and user.school_id == resource.school_id


@rule("course.plan.manage")
def can_manage_course_plan(user, course) -> bool:
    """The course's own teachers and the school's academic affairs (and administrators)."""
    if course is None:
        return False
    if is_school_staff(user, course.school_id):
        return True
    return user.has_role(Role.TEACHER, Role.CLASS_TEACHER) and user in course.teachers


@rule("catalog.browse")
def can_browse_catalog(user, school) -> bool:
    """Searching the whole catalog is for teaching staff; students open what their courses assign."""
    school_id = getattr(school, "effective_school_id", None) or getattr(school, "id", None)
    return school_id is not None and user.school_id == school_id and user.has_role(*UPLOADER_ROLES)
