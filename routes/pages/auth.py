"""Sign-in by a one-time link sent by mail or with ProConnect; sign-out."""

from __future__ import annotations

import logging
import re

from flask import Flask, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from routes.pages import pages
from routes.pages.forms import ActionForm, ConfirmForm, LoginForm
from tourplanner.accounts import proconnect
from tourplanner.accounts.operations import end_sessions, peek_login_link, queue_login_request, use_login_link
from tourplanner.extensions import db, limiter
from tourplanner.jobs import send_login_links
from tourplanner.mail.delivery import start_delivery

log = logging.getLogger(__name__)

#: A path on this site: one leading slash, then no slash or backslash, no space or backslash anywhere.
LOCAL_PATH = re.compile(r"/(?![/\\])[^\s\\]*")


def _typed_address() -> str:
    """The rate limit key of a sign-in request: the address typed, as it would be stored."""
    return "address:" + request.form.get("email", "").strip().lower()


def _client_address() -> str:
    """The rate limit key of the client: its IP address (as ProxyFix reports it behind proxies)."""
    return "client:" + get_remote_address()


@pages.route("/connexion", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_PER_ADDRESS"],
    key_func=_typed_address,
    methods=["POST"],
    scope="login-address",
)
@limiter.limit(
    lambda: current_app.config["RATELIMIT_LOGIN_PER_CLIENT"],
    key_func=_client_address,
    methods=["POST"],
    scope="login-client",
)
def login():
    """Ask for a sign-in link; the answer is the same, and as quick, whether the address is known or not.

    The request only records the address typed; finding the account and writing its mail
    happen once the answer has left (send_login_links, and the scheduler as a backstop).
    """
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    if _is_local_path(request.args.get("next")):
        session["next"] = request.args["next"]  # where Flask-Login's redirect came from
    form = LoginForm()
    if form.validate_on_submit():
        queue_login_request(form.email.data)
        db.session.commit()
        response = current_app.make_response(render_template("login_sent.html", email=form.email.data))
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        response.call_on_close(lambda: _send_links_after_answer(app))
        return response
    return render_template("login.html", form=form, proconnect=proconnect.is_configured(current_app.config)), (
        422 if form.errors else 200
    )


def _send_links_after_answer(app: Flask) -> None:
    """Once the answer has left: mail the links asked for, then let the outbox deliver them."""
    with app.app_context():
        try:
            queued = send_login_links()
        except Exception:
            log.exception("Handling sign-in requests failed; the scheduler will retry")
            queued = 0
        finally:
            db.session.remove()
    if queued and app.config.get("SMTP_HOST"):
        start_delivery(app)


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
    """Sign out, server-side: the session's stamp is renewed, so no copy of this or any session works any more."""
    if ActionForm().validate_on_submit():
        id_token = session.get(proconnect.SESSION_ID_TOKEN)
        end_sessions(current_user)
        db.session.commit()
        logout_user()
        session.clear()
        flash("Vous êtes déconnecté, sur cet appareil et sur tous les autres.", "success")
        if id_token:  # signed in with ProConnect: end that session too, then come back here
            ending = proconnect.end_session_redirect(id_token, _external("pages.proconnect_signed_out"))
            if ending is not None:
                return ending
    return redirect(url_for("pages.login"))


@pages.get("/connexion/proconnect")
def proconnect_start():
    """Send the browser to ProConnect (404 when ProConnect is not configured)."""
    if _is_local_path(request.args.get("next")):
        session["next"] = request.args["next"]
    return proconnect.start_sign_in(_external("pages.proconnect_callback"))


@pages.get("/connexion/proconnect/retour")
def proconnect_callback():
    """ProConnect's answer: sign in the prescriber it identifies, the same way as a sign-in link does."""
    identity = proconnect.finish_sign_in(request.args)
    user = proconnect.account_for(identity)
    login_user(user)
    session[proconnect.SESSION_ID_TOKEN] = identity.id_token
    flash(f"Bienvenue, {user.name}.", "success")
    target = session.pop("next", None)
    return redirect(target if _is_local_path(target) else url_for("pages.home"))


@pages.get("/deconnexion/proconnect")
def proconnect_signed_out():
    """Where ProConnect sends the browser back once its session has ended too."""
    proconnect.check_end_session_return()
    return redirect(url_for("pages.login"))


def _external(endpoint: str) -> str:
    """The public address of one of our pages (BASE_URL), as registered with ProConnect."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint)


def _is_local_path(target: str | None) -> bool:
    """A path on this site (never another host: no open redirect)."""
    return bool(target) and LOCAL_PATH.fullmatch(target) is not None
