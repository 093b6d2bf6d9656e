"""Perception questionnaires as data an organisation owns: one per audience (prescribers, companies).

An organisation without its own questionnaire asks the default statements below. The first
statement of a questionnaire is its headline: its score is the answer's `score`, the one the
bilan compares before and after. So that this score stays comparable whatever the organiser
edits, the headline always keeps its audience's key (HEADLINE_KEYS): it may be reworded,
never removed nor moved; the other statements are free (added, reworded, reordered, removed).

Verbs flush and never commit.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tourplanner.accounts.models import User
from tourplanner.accounts.permissions import require_organiser
from tourplanner.audit.operations import record
from tourplanner.errors import Conflict, FieldError, InvalidInput
from tourplanner.extensions import db
from tourplanner.impact.enums import Respondent
from tourplanner.impact.models import Questionnaire, QuestionnaireQuestion

#: Most statements in one questionnaire (it is answered on a phone, in a minute).
MAX_QUESTIONS = 8
#: Longest statement, in characters.
MAX_TEXT = 300


@dataclass(frozen=True)
class Question:
    """One 1–5 statement: its stable key (in answers' `scores`) and its French text."""

    key: str
    text: str


#: The statements asked when an organisation has not written its own; the first one is the headline.
DEFAULT_QUESTIONS: dict[Respondent, tuple[Question, ...]] = {
    Respondent.PRESCRIBER: (
        Question("debouches", "L'industrie offre des débouchés à mes publics."),
        Question("metiers", "Je connais les métiers de l'industrie de mon territoire."),
        Question("orienter", "Je me sens capable d'orienter une personne vers un métier industriel."),
    ),
    Respondent.COMPANY: (
        Question("reconversion", "Les personnes en reconversion peuvent réussir dans nos métiers."),
        Question("prescripteurs", "Je sais à quels prescripteurs m'adresser pour recruter."),
        Question("accueil", "Accueillir des personnes éloignées de l'emploi est à notre portée."),
    ),
}
#: The headline's key per audience: the same in every organisation, so scores compare across edits and kits.
HEADLINE_KEYS = {respondent: questions[0].key for respondent, questions in DEFAULT_QUESTIONS.items()}


def _stored(organisation_id: int | None, respondent: Respondent) -> Questionnaire | None:
    owner = (
        Questionnaire.organisation_id.is_(None)
        if organisation_id is None
        else Questionnaire.organisation_id == organisation_id
    )
    return db.session.scalar(select(Questionnaire).where(owner, Questionnaire.respondent == respondent))


def questions_for(organisation_id: int | None, respondent: Respondent) -> list[Question]:
    """The statements an organisation asks an audience, in order: its own, else the defaults."""
    questionnaire = _stored(organisation_id, respondent)
    if questionnaire is None or not questionnaire.questions:
        return list(DEFAULT_QUESTIONS[respondent])
    return [Question(q.key, q.text) for q in questionnaire.questions]


def is_default(organisation_id: int | None, respondent: Respondent) -> bool:
    """Whether the organisation asks the default statements (it has not written its own)."""
    return _stored(organisation_id, respondent) is None


def questionnaires_of(organiser: User) -> dict[Respondent, list[Question]]:
    """The questionnaires of `organiser`'s organisation, per audience."""
    require_organiser(organiser)
    return {respondent: questions_for(organiser.organisation_id, respondent) for respondent in Respondent}


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", plain)[:30].strip("_") or "question"


def check_questions(
    respondent: Respondent, questions: list[Question | str], where: str = "questions"
) -> list[FieldError]:
    """The faults of a questionnaire's statements in order (`str` items are new statements without a key)."""
    errors: list[FieldError] = []
    if not questions:
        errors.append(FieldError(where, "au moins une affirmation est attendue"))
    if len(questions) > MAX_QUESTIONS:
        errors.append(FieldError(where, f"{MAX_QUESTIONS} affirmations au plus"))
    keys: set[str] = set()
    for index, item in enumerate(questions):
        text = item.text if isinstance(item, Question) else item
        if not isinstance(text, str) or not text.strip():
            errors.append(FieldError(f"{where}.{index}.text", "le texte de l'affirmation est obligatoire"))
        elif len(text.strip()) > MAX_TEXT:
            errors.append(FieldError(f"{where}.{index}.text", f"{MAX_TEXT} caractères au plus"))
        if isinstance(item, Question):
            if not re.fullmatch(r"[a-z0-9_]{1,40}", item.key or ""):
                errors.append(FieldError(f"{where}.{index}.key", "une clé en minuscules, chiffres et _ est attendue"))
            elif item.key in keys:
                errors.append(FieldError(f"{where}.{index}.key", f"la clé « {item.key} » figure deux fois"))
            keys.add(item.key)
    return errors


def set_questions(organiser: User, respondent: Respondent, questions: list[Question | str]) -> list[Question]:
    """Replace the statements `organiser`'s organisation asks an audience (the headline first, keeping its key).

    Items are existing statements (a Question, its key kept so past answers' scores still match) or
    new texts (a key is made from the text). The first item is the headline and gets HEADLINE_KEYS.
    """
    require_organiser(organiser)
    errors = check_questions(respondent, questions)
    if errors:
        raise InvalidInput(errors, "questionnaire refusé : " + "; ".join(e.message for e in errors[:3]))
    wanted = _with_keys(respondent, questions)
    questionnaire = _stored(organiser.organisation_id, respondent)
    if questionnaire is None:
        questionnaire = Questionnaire(organisation_id=organiser.organisation_id, respondent=respondent)
        try:
            with db.session.begin_nested():  # two organisers saving their first version at once: one wins
                db.session.add(questionnaire)
                db.session.flush()
        except IntegrityError:
            raise Conflict("ce questionnaire vient d'être enregistré par ailleurs : rechargez la page") from None
    elif [Question(q.key, q.text) for q in questionnaire.questions] == wanted:
        return wanted
    _replace(questionnaire, wanted)
    record(organiser, "questionnaire.update", questionnaire, respondent=respondent.value, questions=len(wanted))
    return wanted


def _with_keys(respondent: Respondent, questions: list[Question | str]) -> list[Question]:
    """The statements with their final keys: the headline's fixed key first, new texts keyed by their words."""
    headline = HEADLINE_KEYS[respondent]
    taken = {headline} | {q.key for q in questions[1:] if isinstance(q, Question) and q.key != headline}
    result = []
    for index, item in enumerate(questions):
        text = (item.text if isinstance(item, Question) else item).strip()
        if index == 0:
            key = headline
        elif isinstance(item, Question) and item.key != headline:
            key = item.key
        else:
            base = key = _slug(text)
            number = 2
            while key in taken:
                key = f"{base[:36]}_{number}"
                number += 1
            taken.add(key)
        result.append(Question(key, text))
    return result


def _replace(questionnaire: Questionnaire, wanted: list[Question]) -> None:
    """Make the questionnaire's rows say `wanted`, keeping the rows of the keys that stay."""
    by_key = {q.key: q for q in questionnaire.questions}
    rows = []
    for position, question in enumerate(wanted, start=1):
        row = by_key.pop(question.key, None) or QuestionnaireQuestion(key=question.key)
        row.text, row.position = question.text, position
        rows.append(row)
    questionnaire.questions = rows  # rows left in by_key are orphans: deleted
    db.session.flush()


def reset_questions(organiser: User, respondent: Respondent) -> bool:
    """Go back to the default statements for an audience; whether the organisation had its own."""
    require_organiser(organiser)
    questionnaire = _stored(organiser.organisation_id, respondent)
    if questionnaire is None:
        return False
    record(organiser, "questionnaire.reset", questionnaire, respondent=respondent.value)
    db.session.delete(questionnaire)
    db.session.flush()
    return True


# --- the kit ---------------------------------------------------------------------------


def kit_questionnaires(organiser: User) -> list[dict[str, Any]]:
    """The organisation's questionnaires as the kit file carries them (the defaults when it has none)."""
    return [
        {"respondent": respondent.value, "questions": [{"key": q.key, "text": q.text} for q in questions]}
        for respondent, questions in questionnaires_of(organiser).items()
    ]


def check_kit_questionnaires(items: list[Any], errors: list[FieldError]) -> None:
    """Add to `errors` the faults of a kit's `questionnaires` section."""
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"questionnaires.{index}"
        if not isinstance(item, dict):
            errors.append(FieldError(where, "un objet est attendu"))
            continue
        try:
            respondent = Respondent(item.get("respondent"))
        except ValueError:
            errors.append(FieldError(f"{where}.respondent", "public inconnu (« prescriber » ou « company »)"))
            continue
        if respondent.value in seen:
            errors.append(
                FieldError(f"{where}.respondent", f"le questionnaire « {respondent.value} » figure deux fois")
            )
        seen.add(respondent.value)
        questions = item.get("questions")
        if not isinstance(questions, list) or not all(isinstance(q, dict) for q in questions):
            errors.append(FieldError(f"{where}.questions", "une liste d'affirmations {key, text} est attendue"))
            continue
        parsed = [Question(q.get("key") if isinstance(q.get("key"), str) else "", q.get("text")) for q in questions]
        errors.extend(check_questions(respondent, parsed, f"{where}.questions"))


def import_kit_questionnaires(items: list[dict[str, Any]], organiser: User) -> tuple[int, int]:
    """Give `organiser`'s organisation the kit's questionnaires (checked before); (created, updated)."""
    created = updated = 0
    for item in items:
        respondent = Respondent(item["respondent"])
        questions: list[Question | str] = [Question(q["key"], q["text"]) for q in item["questions"]]
        existed = not is_default(organiser.organisation_id, respondent)
        before = questions_for(organiser.organisation_id, respondent)
        after = set_questions(organiser, respondent, questions)
        if not existed:
            created += 1
        elif before != after:
            updated += 1
    return created, updated
