"""The organiser's questionnaires page: the perception statements their organisation asks, per audience."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from routes.pages import pages
from routes.pages.forms import FrenchForm
from tourplanner.errors import FieldError, InvalidInput
from tourplanner.extensions import db
from tourplanner.impact import questionnaires
from tourplanner.impact.enums import Respondent
from tourplanner.impact.questionnaires import MAX_QUESTIONS, Question

#: Empty rows offered below the statements, to add new ones.
BLANK_ROWS = 2


def _respondent(value: str) -> Respondent:
    try:
        return Respondent(value)
    except ValueError:
        abort(404)


def _rows(questions: list[Question]) -> list[dict]:
    """The editable rows after the headline: its statements, then blank rows (within the maximum)."""
    rows = [{"key": q.key, "text": q.text, "order": str(i)} for i, q in enumerate(questions[1:], start=2)]
    blanks = max(0, min(BLANK_ROWS, MAX_QUESTIONS - len(questions)))
    return rows + [{"key": "", "text": "", "order": ""} for _ in range(blanks)]


def _render(edited: Respondent | None = None, posted: dict | None = None, errors: list[FieldError] = (), status=200):
    forms = {}
    for respondent, questions in questionnaires.questionnaires_of(current_user).items():
        if respondent is edited and posted is not None:
            forms[respondent] = posted
        else:
            forms[respondent] = {"headline": questions[0].text, "rows": _rows(questions)}
        forms[respondent]["is_default"] = questionnaires.is_default(current_user.organisation_id, respondent)
    return render_template(
        "kit/questionnaires.html",
        forms=forms,
        edited=edited,
        errors=list(errors),
        max_questions=MAX_QUESTIONS,
    ), status


@pages.get("/organisateur/questionnaires")
@login_required
def questionnaires_page():
    """The organisation's perception questionnaires, editable (organisers: questionnaires_of checks)."""
    return _render()


def _read_form(form) -> tuple[dict, list[Question | str], list[FieldError]]:
    """The posted rows as shown again, the statements in their order, and faults of the order numbers."""
    headline = form.get("headline", "")
    rows, errors, ordered = [], [], []
    for index in range(1, MAX_QUESTIONS + BLANK_ROWS + 1):
        if f"text-{index}" not in form:
            continue
        row = {key: form.get(f"{key}-{index}", "").strip() for key in ("key", "text", "order")}
        rows.append(row)
        if not row["text"]:
            continue  # an emptied statement is removed
        try:
            order = int(row["order"]) if row["order"] else 100 + index
        except ValueError:
            errors.append(FieldError(f"order-{index}", f"« {row['order'][:10]} » n'est pas un numéro d'ordre"))
            continue
        ordered.append((order, index, Question(row["key"], row["text"]) if row["key"] else row["text"]))
    statements: list[Question | str] = [headline] + [item for _, _, item in sorted(ordered, key=lambda t: t[:2])]
    return {"headline": headline, "rows": rows}, statements, errors


@pages.post("/organisateur/questionnaires/<respondent>")
@login_required
def questionnaire_save(respondent: str):
    """Save one audience's statements: the headline first, then the others in the order given."""
    audience = _respondent(respondent)
    if not FrenchForm().validate_on_submit():
        return _render(
            errors=[FieldError("csrf", "Le formulaire a expiré ; rechargez la page et recommencez.")], status=400
        )
    posted, statements, errors = _read_form(request.form)
    try:
        if errors:
            raise InvalidInput(errors)
        questionnaires.set_questions(current_user, audience, statements)
        db.session.commit()
    except InvalidInput as error:
        db.session.rollback()
        return _render(audience, posted, error.errors, 422)
    flash(f"Questionnaire des {audience.label.lower()} enregistré.", "success")
    return redirect(url_for("pages.questionnaires_page") + f"#q-{audience.value}")


@pages.post("/organisateur/questionnaires/<respondent>/defaut")
@login_required
def questionnaire_reset(respondent: str):
    """Go back to the default statements for one audience."""
    audience = _respondent(respondent)
    if not FrenchForm().validate_on_submit():
        return _render(
            errors=[FieldError("csrf", "Le formulaire a expiré ; rechargez la page et recommencez.")], status=400
        )
    questionnaires.reset_questions(current_user, audience)
    db.session.commit()
    flash(f"Questionnaire des {audience.label.lower()} : questions par défaut rétablies.", "success")
    return redirect(url_for("pages.questionnaires_page") + f"#q-{audience.value}")
