"""Pages opened from a signed link in a mail, without signing in, on a phone.

- /questionnaire/<token>: the perception questionnaire of one person, tour and moment (once).
- /suivi/<token>: a prescriber's people on a tour and what became of them (outcomes).
- /evaluation-visite/<token>: the host company's assessment of a visit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import render_template, request

from routes.pages import pages
from tourplanner.accounts.models import User
from tourplanner.errors import Conflict, FieldError, InvalidInput, NotFound
from tourplanner.extensions import db
from tourplanner.impact import operations
from tourplanner.impact.enums import Contract, Moment, OutcomeKind
from tourplanner.impact.links import read_token
from tourplanner.impact.questionnaires import questions_for
from tourplanner.tours.models import Tour

#: The answers of a 1–5 scale, in French.
SCALE = [
    (1, "Pas du tout d'accord"),
    (2, "Plutôt pas d'accord"),
    (3, "Sans avis"),
    (4, "Plutôt d'accord"),
    (5, "Tout à fait d'accord"),
]


def _load(payload: dict, user_key: str) -> tuple[Tour, User]:
    tour = db.session.get(Tour, payload.get("t")) if isinstance(payload.get("t"), int) else None
    user = db.session.get(User, payload.get(user_key)) if isinstance(payload.get(user_key), int) else None
    if tour is None or user is None or not user.is_active:
        raise NotFound("ce lien ne correspond plus à un tour ou à une personne")
    return tour, user


# --- perception ------------------------------------------------------------------------


@pages.route("/questionnaire/<token>", methods=["GET", "POST"])
def questionnaire(token: str):
    """A person's perception questionnaire for a tour and a moment; answered once."""
    payload = read_token("perception", token)
    tour, user = _load(payload, "u")
    try:
        moment = Moment(payload.get("m"))
    except ValueError:
        raise NotFound("ce lien n'est pas valide") from None
    respondent = operations.respondent_for(tour, user)
    questions = [(q.key, q.text) for q in questions_for(tour.organisation_id, respondent)]
    page = {"tour": tour, "user": user, "moment": moment, "questions": questions, "scale": SCALE}
    if operations.has_answered(tour, user, moment):
        return render_template("bilan/thanks.html", already=True, **page)
    if request.method == "GET":
        return render_template("bilan/questionnaire.html", values={}, errors={}, **page)
    values = {key: request.form.get(key, "") for key, _ in questions}
    comment = request.form.get("comment", "")[:5000]
    errors = {
        key: "Choisissez une réponse de 1 à 5."
        for key in values
        if values[key] not in {"1", "2", "3", "4", "5"} and (key == questions[0][0] or values[key])
    }
    if errors:
        return render_template("bilan/questionnaire.html", values=values, errors=errors, comment=comment, **page), 422
    headline = questions[0][0]
    try:
        operations.answer_perception(
            tour,
            user,
            moment,
            int(values[headline]),
            comment,
            {k: int(v) for k, v in values.items() if k != headline and v},
        )
        db.session.commit()
    except Conflict:
        db.session.rollback()
        return render_template("bilan/thanks.html", already=True, **page), 409
    return render_template("bilan/thanks.html", already=False, **page)


# --- outcomes --------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeLine:
    """What the form says for one person."""

    participant_id: int
    kind: OutcomeKind
    occurred_on: date
    contract: Contract | None


def _read_lines(people: list, form: dict) -> tuple[list[OutcomeLine], dict[int, list[str]]]:
    lines, errors = [], {}
    for person in people:
        kind_text = form.get(f"kind-{person.id}", "")
        if not kind_text:
            continue
        problems = []
        try:
            kind = OutcomeKind(kind_text)
        except ValueError:
            problems.append("type de sortie non reconnu")
            kind = OutcomeKind.SEARCHING
        try:
            occurred_on = date.fromisoformat(form.get(f"date-{person.id}", ""))
            if not 2000 <= occurred_on.year <= 2100:
                raise ValueError
        except ValueError:
            problems.append("indiquez la date (jj/mm/aaaa)")
            occurred_on = date(2000, 1, 1)
        contract = None
        if form.get(f"contract-{person.id}"):
            try:
                contract = Contract(form[f"contract-{person.id}"])
            except ValueError:
                problems.append("contrat non reconnu")
            if kind is not OutcomeKind.RECRUITMENT:
                problems.append("le contrat ne se précise que pour un recrutement")
        if problems:
            errors[person.id] = problems
        else:
            lines.append(OutcomeLine(person.id, kind, occurred_on, contract))
    return lines, errors


@pages.route("/suivi/<token>", methods=["GET", "POST"])
def outcomes_form(token: str):
    """A prescriber's people on a tour, and what became of each (recorded all at once or not at all)."""
    tour, prescriber = _load(read_token("outcomes", token), "p")
    people = operations.prescriber_people(tour, prescriber)
    page = {
        "tour": tour,
        "prescriber": prescriber,
        "people": people,
        "kinds": list(OutcomeKind),
        "contracts": list(Contract),
    }
    if request.method == "GET":
        return render_template(
            "bilan/outcomes.html", latest=operations.latest_outcomes(people), errors={}, form={}, saved=0, **page
        )
    lines, errors = _read_lines(people, request.form)
    if errors:
        return render_template(
            "bilan/outcomes.html",
            latest=operations.latest_outcomes(people),
            errors=errors,
            form=request.form,
            saved=0,
            **page,
        ), 422
    by_id = {person.id: person for person in people}
    for line in lines:
        operations.record_outcome(by_id[line.participant_id], prescriber, line.kind, line.occurred_on, line.contract)
    db.session.commit()
    return render_template(
        "bilan/outcomes.html", latest=operations.latest_outcomes(people), errors={}, form={}, saved=len(lines), **page
    )


# --- the host company's assessment -----------------------------------------------------


@pages.route("/evaluation-visite/<token>", methods=["GET", "POST"])
def assessment_form(token: str):
    """The host company's assessment of the visit it received."""
    tour, user = _load(read_token("assessment", token), "u")
    operations.respondent_for(tour, user)
    page = {"tour": tour, "user": user}
    if request.method == "GET":
        return render_template("bilan/assessment.html", form={}, errors={}, saved=False, **page)
    form = request.form
    errors: dict[str, str] = {}
    if form.get("went_as_planned") not in ("oui", "non"):
        errors["went_as_planned"] = "Répondez oui ou non."
    numbers: dict[str, int | None] = {}
    for name in ("visitors", "profiles_spotted"):
        text = form.get(name, "").strip()
        if not text:
            numbers[name] = None
        elif text.isdigit() and int(text) <= 1000:
            numbers[name] = int(text)
        else:
            errors[name] = "Indiquez un nombre entre 0 et 1000."
    if errors:
        return render_template("bilan/assessment.html", form=form, errors=errors, saved=False, **page), 422
    try:
        operations.assess_visit(
            tour,
            user,
            operations.AssessmentDetails(
                went_as_planned=form["went_as_planned"] == "oui",
                visitors=numbers["visitors"],
                profiles_spotted=numbers["profiles_spotted"],
                intends_to_recruit=bool(form.get("intends_to_recruit")),
                intends_immersion=bool(form.get("intends_immersion")),
                comment=form.get("comment", "")[:5000],
            ),
        )
    except InvalidInput as error:
        db.session.rollback()
        messages = {e.field: e.message for e in error.errors if isinstance(e, FieldError)}
        return render_template("bilan/assessment.html", form=form, errors=messages, saved=False, **page), 422
    db.session.commit()
    return render_template("bilan/assessment.html", form=form, errors={}, saved=True, **page)
