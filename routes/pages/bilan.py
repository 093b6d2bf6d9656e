"""The bilan for organisers, its exports, and one person's data.

- /organisateur/bilan: choose a period, a territory, a programme, an organisation; exact
  figures with their definitions, charts (SVG with their data tables); prints for funders
  with small cells hidden.
- /organisateur/bilan.csv, /organisateur/bilan.ods: the same for funders (small cells
  hidden, people pseudonymised).
- /organisateur/bilan/conservation: how long participants' personal data is kept.
- /organisateur/personnes: export or erase everything held about one person (GDPR).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import IntegerField, StringField
from wtforms.validators import InputRequired, NumberRange

from routes.pages import pages
from routes.pages.forms import FrenchForm, page_arg
from tourplanner.accounts.models import Organisation
from tourplanner.company_visits.enums import Interest
from tourplanner.db import utcnow
from tourplanner.errors import InvalidInput
from tourplanner.extensions import db
from tourplanner.impact import exports, operations
from tourplanner.impact.enums import Respondent
from tourplanner.impact.figures import Bilan, BilanFilter
from tourplanner.impact.queries import compute_bilan, is_organisation_choice, organisation_choices
from tourplanner.sites.catalogue import territories
from tourplanner.timeutil import to_local
from tourplanner.tours.enums import TourKind


class RetentionForm(FrenchForm):
    """Months after the visit before participants' personal data is anonymised."""

    retention_months = IntegerField(
        "Durée de conservation (mois)",
        validators=[InputRequired("Indiquez un nombre de mois."), NumberRange(1, 120, "Entre 1 et 120 mois.")],
    )


class PersonForm(FrenchForm):
    """One person, by e-mail address."""

    email = StringField("Adresse e-mail de la personne", validators=[InputRequired("Indiquez une adresse e-mail.")])


@dataclass(frozen=True)
class Choice:
    """The slice chosen on the page, and what went wrong reading it."""

    slice: BilanFilter
    errors: list[str]

    def labels(self) -> tuple[str, str, str]:
        """Territory, programme and organisation in words."""
        kind = self.slice.kind.label if self.slice.kind else "tous les programmes"
        organisation = db.session.get(Organisation, self.slice.organisation_id) if self.slice.organisation_id else None
        return (
            self.slice.territory or "tous les territoires",
            kind,
            organisation.name if organisation else "toutes les organisations",
        )

    def query(self) -> dict[str, str]:
        """The slice as URL parameters (for the export links)."""
        params = {"du": self.slice.start.isoformat(), "au": self.slice.end.isoformat()}
        if self.slice.territory:
            params["territoire"] = self.slice.territory
        if self.slice.kind:
            params["type"] = self.slice.kind.value
        if self.slice.organisation_id:
            params["organisation"] = str(self.slice.organisation_id)
        return params


def read_choice() -> Choice:
    """The slice from the query string; the last twelve months by default."""
    today = to_local(utcnow()).date()
    errors = []

    def read_date(name: str, default: date, label: str) -> date:
        text = page_arg(name).strip()
        if not text:
            return default
        try:
            value = date.fromisoformat(text)
        except ValueError:
            errors.append(f"{label} : « {text[:20]} » n'est pas une date (AAAA-MM-JJ).")
            return default
        if not 2000 <= value.year <= 2100:
            errors.append(f"{label} : choisissez une date entre 2000 et 2100.")
            return default
        return value

    end = read_date("au", today, "Fin de période")
    start = read_date("du", end - timedelta(days=364), "Début de période")
    if start > end:
        errors.append("La fin de période doit suivre son début.")
        start = end - timedelta(days=364)
    kind = None
    if page_arg("type"):
        try:
            kind = TourKind(page_arg("type"))
        except ValueError:
            errors.append("Programme : choix non reconnu.")
    organisation_id = None
    if request.args.get("organisation"):
        text = request.args["organisation"]
        if text.isdigit() and int(text) < 2**31 and is_organisation_choice(int(text)):
            organisation_id = int(text)
        else:
            errors.append("Organisation : choix non reconnu.")
    territory = page_arg("territoire").strip()[:120] or None
    return Choice(
        BilanFilter(start, end, territory, kind, organisation_id, organiser=current_user._get_current_object()), errors
    )


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, its exact value and its value for funders."""

    label: str
    value: int
    shared: str
    series: str = ""


def charts(bilan: Bilan) -> dict[str, list[Bar]]:
    """The data of each chart."""
    months = []
    for month in bilan.by_month:
        months.append(Bar(month.month, month.participants, exports.cell(month.participants), "participants"))
    outcomes = [
        Bar("Recrutements", bilan.recruitments, exports.cell(bilan.recruitments)),
        Bar("Formations", bilan.trainings, exports.cell(bilan.trainings)),
        Bar("Stages, immersions", bilan.internships, exports.cell(bilan.internships)),
    ]
    perception = []
    for respondent in Respondent:
        figures = bilan.perception[respondent]
        perception.append(Bar(f"{respondent.label} : ont répondu", figures.answered, exports.cell(figures.answered)))
        perception.append(Bar(f"{respondent.label} : en progrès", figures.improved, exports.cell(figures.improved)))
    interest = [
        Bar(answer.label, bilan.interest.get(answer, 0), exports.cell(bilan.interest.get(answer, 0)))
        for answer in Interest
    ]
    return {"months": months, "outcomes": outcomes, "perception": perception, "interest": interest}


@pages.get("/organisateur/bilan")
@login_required
def bilan():
    """The bilan of a slice, exact, with its definitions and charts (organisers)."""
    choice = read_choice()
    result = compute_bilan(choice.slice)
    territory, kind, organisation = choice.labels()
    return render_template(
        "bilan/page.html",
        choice=choice,
        bilan=result,
        rows=exports.bilan_rows(result),
        charts=charts(result),
        definitions=exports.DEFINITIONS,
        territories=territories(),
        kinds=list(TourKind),
        organisations=organisation_choices(),
        labels=(territory, kind, organisation),
        retention=RetentionForm(retention_months=operations.settings().retention_months),
        Respondent=Respondent,
        percent=exports.percent,
    ), (422 if choice.errors else 200)


def _heading(choice: Choice) -> list[str]:
    territory, kind, organisation = choice.labels()
    return [
        "Bilan tourplanner — chiffres diffusables (effectifs de 1 à 4 affichés « < 5 »)",
        *exports.filter_lines(choice.slice, territory, kind, organisation),
    ]


@pages.get("/organisateur/bilan.csv")
@login_required
def bilan_csv():
    """The bilan for funders as CSV: small cells hidden."""
    choice = read_choice()
    text = exports.to_csv(compute_bilan(choice.slice), _heading(choice))
    return Response(
        text,
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="bilan-{choice.slice.start}-{choice.slice.end}.csv"'},
    )


@pages.get("/organisateur/bilan.ods")
@login_required
def bilan_ods():
    """The bilan for funders as an ODS spreadsheet: small cells hidden, people pseudonymised."""
    choice = read_choice()
    result = compute_bilan(choice.slice)
    data = exports.to_ods(
        result,
        _heading(choice),
        exports.outcome_lines(choice.slice),
        current_app.config["SECRET_KEY"],
        exports.DEFINITIONS,
    )
    return Response(
        data,
        mimetype="application/vnd.oasis.opendocument.spreadsheet",
        headers={"Content-Disposition": f'attachment; filename="bilan-{choice.slice.start}-{choice.slice.end}.ods"'},
    )


@pages.post("/organisateur/bilan/conservation")
@login_required
def bilan_retention():
    """Set how long participants' personal data is kept (organisers)."""
    form = RetentionForm()
    if not form.validate_on_submit():
        flash(" ".join(form.retention_months.errors) or "Le formulaire a expiré ; recommencez.", "error")
        return redirect(url_for("pages.bilan"))
    operations.set_retention(form.retention_months.data, current_user)
    db.session.commit()
    flash(
        f"Les données personnelles des participants seront anonymisées {form.retention_months.data} mois "
        "après leur visite.",
        "success",
    )
    return redirect(url_for("pages.bilan"))


@pages.route("/organisateur/personnes", methods=["GET", "POST"])
@login_required
def person_data():
    """Find one person by e-mail, then export (article 15) or erase (article 17) what is held (organisers)."""
    form = PersonForm(request.form if request.method == "POST" else request.args, meta={"csrf": False})
    people, problem, status = [], None, 200
    try:  # find_person checks the organiser, even for the empty form (no address: nobody)
        people = operations.find_person(form.email.data or None, current_user)
    except InvalidInput as error:
        problem, status = error.errors[0].message, 422
    if form.email.data and not people and problem is None:
        problem, status = "Aucune personne enregistrée avec cette adresse.", 404
    return render_template(
        "bilan/person.html", form=form, people=people, problem=problem, action_form=PersonForm(email=form.email.data)
    ), status


@pages.post("/organisateur/personnes/export")
@login_required
def person_export():
    """Download everything held about one person as JSON (audited)."""
    form = PersonForm()
    if not form.validate_on_submit():
        flash("Le formulaire a expiré ; recommencez.", "error")
        return redirect(url_for("pages.person_data"))
    people = operations.find_person(form.email.data, current_user)
    data = operations.person_export(people, current_user)
    db.session.commit()
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="donnees-personnelles.json"'},
    )


@pages.post("/organisateur/personnes/effacer")
@login_required
def person_erase():
    """Erase one person's personal data, keeping the figures (audited)."""
    form = PersonForm()
    if not form.validate_on_submit():
        flash("Le formulaire a expiré ; recommencez.", "error")
        return redirect(url_for("pages.person_data"))
    erased = operations.erase_person(operations.find_person(form.email.data, current_user), current_user)
    db.session.commit()
    flash(
        f"Données personnelles effacées sur {erased} participation{'s' if erased > 1 else ''} ; "
        "les chiffres du bilan sont inchangés.",
        "success",
    )
    return redirect(url_for("pages.person_data"))
