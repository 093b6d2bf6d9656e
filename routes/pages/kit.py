"""The kit page: download this territory's set-up as a file, import another territory's, and create a draft tour
from an imported template (organisers)."""

from __future__ import annotations

import json
from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.file import FileField

from routes.pages import pages
from routes.pages.forms import FrenchForm, page_arg
from tourplanner.db import utcnow
from tourplanner.errors import InvalidInput
from tourplanner.extensions import db
from tourplanner.kit import layout, operations, queries
from tourplanner.sites.catalogue import territories
from tourplanner.timeutil import to_local


class KitImportForm(FrenchForm):
    """A kit file exported by tourplanner."""

    file = FileField("Fichier du kit (.json, 2 Mo au plus)")


def _render(
    form: KitImportForm,
    problems: list[str] | None = None,
    status: int = 200,
    template_problems: dict[int, list[str]] | None = None,
    posted: dict[str, str] | None = None,
):
    templates = queries.templates_of(current_user)  # checks the reader: organisers only
    return render_template(
        "kit/page.html",
        form=form,
        territories=territories(),
        problems=problems or [],
        templates=templates,
        template_problems=template_problems or {},
        posted=posted or {},
        today=to_local(utcnow()).date().isoformat(),
    ), status


@pages.get("/organisateur/kit")
@login_required
def kit_page():
    """Export and import a territory's kit (organisers)."""
    return _render(KitImportForm())


@pages.get("/organisateur/kit.json")
@login_required
def kit_download():
    """The kit as a JSON file: a territory's zones and sites (no personal data) and the organiser's tour templates."""
    territory = page_arg("territoire") or None
    data = queries.export_kit(current_user, territory)
    name = "kit-tourplanner" + (f"-{territory}" if territory else "")
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name.encode("ascii", "ignore").decode())
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{safe}.json"'},
    )


@pages.post("/organisateur/kit/import")
@login_required
def kit_import():
    """Import a kit file: all of it or nothing, with every fault named (import_kit checks the organiser)."""
    form = KitImportForm()
    if not form.validate_on_submit():
        return _render(form, ["Le formulaire a expiré ; rechargez la page et recommencez."], 400)
    upload = form.file.data
    if not upload or not upload.filename:
        return _render(form, ["Choisissez le fichier du kit à importer."], 422)
    with upload.stream:
        raw = upload.stream.read(layout.MAX_BYTES + 1)
    try:
        report = operations.import_kit_file(raw, current_user)
        db.session.commit()
    except InvalidInput as error:
        db.session.rollback()
        problems = [f"{fault.field} : {fault.message}" for fault in error.errors[:50]]
        return _render(form, [f"Kit refusé, rien n'a été importé. {error.detail}"] + problems, 422)
    flash(f"Kit importé — {report.summary()}.", "success")
    return redirect(url_for("pages.kit_page"))


@pages.post("/organisateur/kit/modeles/<int:template_id>/tour")
@login_required
def kit_template_tour(template_id: int):
    """Create a draft tour on the chosen day from a template, then open it to edit as any draft."""
    template = queries.get_template(current_user, template_id)
    posted = {"date": request.form.get("date", "").strip(), "title": request.form.get("title", "")[:300]}
    if not KitImportForm().validate_on_submit():
        return _render(KitImportForm(), ["Le formulaire a expiré ; rechargez la page et recommencez."], 400)
    try:
        day = date.fromisoformat(posted["date"])
    except ValueError:
        problems = {template.id: ["Indiquez la date du tour (jj/mm/aaaa)."]}
        return _render(KitImportForm(), status=422, template_problems=problems, posted=posted)
    try:
        tour = operations.create_tour_from_template(template, current_user, day, posted["title"] or None)
        db.session.commit()
    except InvalidInput as error:
        db.session.rollback()
        problems = {template.id: [fault.message.capitalize() + "." for fault in error.errors[:10]]}
        return _render(KitImportForm(), status=422, template_problems=problems, posted=posted)
    flash(f"Tour créé (brouillon) depuis le modèle « {template.name} » : vérifiez-le, puis publiez-le.", "success")
    return redirect(url_for("pages.tour_edit", tour_id=tour.id))
