"""People of a roster: accounts matched by external id, then username; roles and classes synced."""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import Role, User, UserRole
from app.orgs.roster.records import PersonRow
from app.orgs.roster.state import ImportState
from app.orgs.roster.structure import unit_for_reference


def match_people(st: ImportState, rows: list[PersonRow]) -> dict[int, User | None]:
    """The account each row is about (None: a new one), reporting clashes with other accounts."""
    by_name = st.users_named([row.username for row in rows])
    by_external = {u.external_id: u for u in st.school_users if u.external_id}
    matched: dict[int, User | None] = {}
    claimed: dict[int, PersonRow] = {}
    for index, row in enumerate(rows):
        user = by_external.get(row.external_id) if row.external_id else None
        holder = by_name.get(row.username.lower())
        if user is None:
            user = holder
            if user is not None and row.external_id and user.external_id and user.external_id != row.external_id:
                message = _(
                    "%(value)s belongs to another person (external id %(other)s).",
                    value=row.username,
                    other=user.external_id,
                )
                st.error(row.source, row.column("username"), message)
                continue
        elif holder is not None and holder is not user:
            message = _("%(value)s is already the username of another account.", value=row.username)
            st.error(row.source, row.column("username"), message)
            continue
        if user is not None and user.school_id != st.school_id:
            message = _("%(value)s is already the username of an account in another school.", value=row.username)
            st.error(row.source, row.column("username"), message)
            continue
        if user is not None and user.id in claimed:
            first = claimed[user.id].source.row
            st.error(row.source, row.column("username"), _("This account is also on row %(row)d.", row=first))
            continue
        if user is not None:
            claimed[user.id] = row
        matched[index] = user
        st.users[row.username.lower()] = user
        st.person_rows[row.username.lower()] = row
    return matched


def _wanted_grants(st: ImportState, row: PersonRow) -> dict:
    """(role, unit key) -> the class code a scoped role applies to (None for school-wide roles)."""
    grants = {(role, None): None for role in row.roles if role != Role.CLASS_TEACHER}
    grants.update({(Role.CLASS_TEACHER, st.unit_key(code)): code for code in row.class_teacher_of})
    return grants


def _held_grants(user: User, managed) -> set:
    return {(grant.role, grant.unit_id) for grant in user.role_grants if grant.role in managed}


def sync_person(st: ImportState, row: PersonRow, user: User | None) -> None:
    column = row.columns.get("class_code") or row.column("class")
    for code in sorted(row.class_codes or ()) + sorted(row.class_teacher_of):
        if not unit_for_reference(st, code, row.source, column):
            return
    wanted = {"name": row.name, "username": row.username}
    for field in ("email", "timezone", "external_id", "disabled"):
        if getattr(row, field) is not None:
            wanted[field] = getattr(row, field)
    grants = _wanted_grants(st, row)
    if user is None:
        st.count("people", "created")
        if st.apply:
            _create(st, row, wanted, grants)
        return
    held = _held_grants(user, row.managed_roles)
    if (
        user is st.actor
        and (Role.ADMIN, None) in held
        and (Role.ADMIN, None) not in grants
        and Role.ADMIN in row.managed_roles
    ):
        st.error(row.source, row.column("roles"), _("You cannot remove your own administrator role."))
        return
    members = {c.id for c in user.classes if c.school_id == st.school_id}
    wanted_members = {st.unit_key(code) for code in row.class_codes} if row.class_codes is not None else members
    changed = any(getattr(user, k) != v for k, v in wanted.items())
    changed = changed or held != set(grants) or members != wanted_members
    st.count("people", "updated" if changed else "unchanged")
    if not (st.apply and changed):
        return
    for key, value in wanted.items():
        setattr(user, key, value)
    if held != set(grants):
        _set_grants(st, user, row, grants)
    if members != wanted_members:
        others = [c for c in user.classes if c.school_id != st.school_id]
        user.classes = others + [st.units[code] for code in sorted(row.class_codes)]


def _grant(st: ImportState, role: Role, code: str | None) -> UserRole:
    return UserRole(role=role) if code is None else UserRole(role=role, unit=st.units[code])


def _set_grants(st: ImportState, user: User, row: PersonRow, grants: dict) -> None:
    held = _held_grants(user, row.managed_roles)
    for grant in list(user.role_grants):
        if grant.role in row.managed_roles and (grant.role, grant.unit_id) not in grants:
            user.role_grants.remove(grant)
    for key in sorted(set(grants) - held, key=str):
        user.role_grants.append(_grant(st, key[0], grants[key]))


def _create(st: ImportState, row: PersonRow, wanted: dict, grants: dict) -> None:
    user = User(school_id=st.school.id, **{"timezone": st.default_timezone(), **wanted})  # the row's zone wins
    if row.password:
        user.set_password(row.password)
        user.must_change_password = True
    # Without a password column the account has no usable password until an admin resets it.
    for key in sorted(grants, key=str):
        user.role_grants.append(_grant(st, key[0], grants[key]))
    user.classes = [st.units[code] for code in sorted(row.class_codes or ())]
    st.add(user)
    st.users[row.username.lower()] = user
