"""Sign-in, sign-out, the account page, language switching."""

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.auth import bp, operations
from app.auth.forms import ChangePasswordForm, LoginForm, PreferencesForm, TokenForm
from app.auth.limits import limit_sign_in_attempts
from app.auth.models import ApiToken, User
from app.core.i18n import LANGUAGES
from app.extensions import db
from app.extensions import login as login_manager


@login_manager.user_loader
def load_user(user_id: str):
    # Flask-Login checks is_active only at sign-in; a disabled account must lose open sessions too.
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


login_manager.login_view = "auth.login"
login_manager.login_message = None


def _login_failed(response) -> bool:
    # Only failed attempts count towards the limits; a successful sign-in redirects.
    return response.status_code != 302


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@limit_sign_in_attempts(lambda: request.form.get("username", ""), failed=_login_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = operations.authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            if user.must_change_password:
                flash(_("Please choose a new password."), "warning")
                return redirect(url_for("auth.account"))
            return redirect(_safe_next(request.args.get("next")))
        # Commit the failed-attempt audit entry even though the page answers 401.
        db.session.commit()
        form.password.errors.append(_("Wrong username or password, or the account is disabled."))
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), (400 if form.errors else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def set_language():
    locale = request.form.get("locale", "")
    if locale in LANGUAGES:
        session["locale"] = locale
        if current_user.is_authenticated:
            operations.set_preferences(current_user, locale=locale)
    return redirect(_safe_next(request.form.get("next")))


def _account_page(status=200, **forms):
    forms.setdefault("password_form", ChangePasswordForm(prefix="pw"))
    prefs = forms.setdefault("preferences_form", PreferencesForm(prefix="prefs", obj=current_user))
    prefs.locale.choices = list(LANGUAGES.items())
    forms.setdefault("token_form", TokenForm(prefix="token"))
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template("auth/account.html", tokens=tokens, **forms), status


@bp.route("/account")
@login_required
def account():
    return _account_page()


@bp.route("/account/password", methods=["POST"])
@login_required
def change_password():
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            operations.change_password(current_user, form.current_password.data, form.new_password.data)
        except operations.AccountError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(422, password_form=form)


@bp.route("/account/preferences", methods=["POST"])
@login_required
def preferences():
    form = PreferencesForm(prefix="prefs")
    form.locale.choices = list(LANGUAGES.items())
    if form.validate_on_submit():
        try:
            operations.set_preferences(current_user, locale=form.locale.data, timezone=form.timezone.data.strip())
        except operations.AccountError as error:
            getattr(form, error.field).errors.append(str(error))
        else:
            session["locale"] = form.locale.data
            flash(_("Your preferences have been saved."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(422, preferences_form=form)


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create_token():
    form = TokenForm(prefix="token")
    if not form.validate_on_submit():
        return _account_page(422, token_form=form)
    token, secret = operations.issue_token(current_user, form.name.data)
    flash(_("Copy your new token now; it will not be shown again: %(secret)s", secret=secret), "token")
    return redirect(url_for("auth.account"))


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        return render_template("errors/error.html", status=404), 404
    operations.revoke_token(current_user, token)
    flash(_("The token has been revoked."), "success")
    return redirect(url_for("auth.account"))
