"""`flask users ...`: account chores for the school's IT staff."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth import operations
from app.auth.models import Role, User, UserRole
from app.extensions import db
from app.orgs.models import OrgUnit, UnitKind

users_cli = AppGroup("users", help="Create administrators, reset passwords, disable accounts.")


def _user_or_fail(username: str) -> User:
    user = operations.find_user(username)
    if user is None:
        raise click.ClickException(f"No account named {username!r}.")
    return user


@users_cli.command("create-admin")
@click.argument("username")
@click.option("--name", default=None, help="Display name (defaults to the username).")
@click.option("--school", "school_code", default=None, help="Code of the school (defaults to the only school).")
@click.password_option(help="The new administrator's password.")
def create_admin(username, name, school_code, password):
    """Create an administrator account for a school."""
    query = select(OrgUnit).where(OrgUnit.kind == UnitKind.SCHOOL)
    if school_code:
        query = query.where(OrgUnit.code == school_code)
    schools = db.session.scalars(query).all()
    if len(schools) != 1:
        raise click.ClickException("Name the school with --school CODE (none or several match).")
    if operations.find_user(username) is not None:
        raise click.ClickException(f"An account named {username!r} already exists.")
    try:
        operations.check_new_password(password)
    except operations.AccountError as error:
        raise click.ClickException(str(error)) from error
    user = User(username=username, name=name or username, school_id=schools[0].id)
    user.set_password(password)
    user.role_grants.append(UserRole(role=Role.ADMIN))
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created administrator {username} for {schools[0].name}.")


@users_cli.command("reset-password")
@click.argument("username")
def reset_password(username):
    """Give an account a temporary password that must be changed at sign-in."""
    user = _user_or_fail(username)
    temporary = operations.reset_password(None, user)
    db.session.commit()
    click.echo(f"Temporary password for {username}: {temporary}")


@users_cli.command("disable")
@click.argument("username")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
def disable(username, enable):
    """Disable an account (and revoke its API tokens), or enable it again."""
    user = _user_or_fail(username)
    operations.set_account_disabled(None, user, not enable)
    db.session.commit()
    click.echo(f"{username} is now {'enabled' if enable else 'disabled'}.")


def register(app) -> None:
    app.cli.add_command(users_cli)
