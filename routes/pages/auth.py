"""Sign-in by a one-time link sent by mail; sign-out."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from routes.pages import pages
from routes.pages.forms import ActionForm, ConfirmForm, LoginForm
from tourplanner.accounts.operations import create_login_link, find_user_by_email, peek_login_link, use_login_link
from tourplanner.extensions import db
from tourplanner.mail.operations import enqueue

log = logging.getLogger(__name__)

#: A path on this site: one leading slash, then no slash or backslash, no space or backslash anywhere.
LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\\]*")


@pages.route("/connexion", methods=["GET", "POST"])
def login():
    """Ask for a sign-in link; the answer is the same whether the address is known or not."""
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    if _is_local_path(request.args.get("next")):
        session["next"] = request.args["next"]  # where Flask-Login's redirect came from
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user_by_email(form.email.data)
        if user is not None and user.is_active:
            minutes = current_app.config["LOGIN_LINK_MINUTES"]
            token = create_login_link(user, timedelta(minutes=minutes))
            link = f"{current_app.config['BASE_URL']}{url_for('pages.login_link', token=token)}"
            enqueue(
                user.email,
                "Votre lien de connexion à tourplanner",
                f"Bonjour {user.name},\n\nPour vous connecter à tourplanner, ouvrez ce lien "
                f"(valable {minutes} minutes, une seule fois) :\n\n{link}\n\n"
                "Si vous n'avez rien demandé, ignorez ce message.\n",
            )
            log.info("Sign-in link for %s: %s", user.email, link)
            db.session.commit()
        return render_template("login_sent.html", email=form.email.data)
    return render_template("login.html", form=form), 422 if form.errors else 200


@pages.route("/connexion/<token>", methods=["GET", "POST"])
def login_link(token: str):
    """Show a button (GET), and sign in when it is pressed (POST)."""
    form = ConfirmForm()
    if form.validate_on_submit():
        user = use_login_link(token)
        db.session.commit()
        login_user(user)
        flash(f"Bienvenue, {user.name}.", "success")
        target = session.pop("next", None)
        return redirect(target if _is_local_path(target) else url_for("pages.home"))
    link = peek_login_link(token)
    return render_template("login_confirm.html", form=form, user=link.user)


@pages.post("/deconnexion")
@login_required
def logout():
    """Sign out."""
    if ActionForm().validate_on_submit():
        logout_user()
        flash("Vous êtes déconnecté.", "success")
    return redirect(url_for("pages.login"))


def _is_local_path(target: str | None) -> bool:
    """A path on this site (never another host: no open redirect)."""
    return bool(target) and LOCAL_PATH.fullmatch(target) is not None
