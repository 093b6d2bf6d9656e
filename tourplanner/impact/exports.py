"""What leaves tourplanner for funders: the bilan's tables with small cells hidden, CSV and ODS.

Privacy rules:
- **Small cells**: a count of people from 1 to 4 in a slice is shown « < 5 » (0 stays 0:
  it reveals no one); a rate whose denominator is under 5 is not shown either.
- **Pseudonymised**: exports carry no name, e-mail or id of a person; the outcomes sheet
  names people by a pseudonym (a keyed hash of their id, not reversible without the
  application's secret key).
The organiser's own page and the API give the exact figures.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from tourplanner.bookings.enums import Attendance
from tourplanner.bookings.models import Participant
from tourplanner.company_visits.enums import Interest
from tourplanner.extensions import db
from tourplanner.impact.actions import booking_facts, month_of, plain_actions
from tourplanner.impact.enums import OutcomeKind, Respondent
from tourplanner.impact.figures import Bilan, BilanFilter
from tourplanner.impact.models import Outcome

#: Counts from 1 to this minus one are hidden in what leaves tourplanner.
SMALL_CELL = 5
#: How a hidden count is written.
HIDDEN = "< 5"


#: The section of the interest voiced at a company visit's debriefing.
INTEREST_SECTION = "Intérêt au débriefing"

#: The definitions a funder can audit, in French (on the page and in the ODS export).
DEFINITIONS = [
    "Action : un tour tenu (non annulé) dont le début tombe dans la période (jours à l'heure de Paris, bornes "
    "comprises).",
    "Territoire : celui des zones industrielles des sites que le tour visite ; un tour sur deux territoires compte "
    "dans les deux.",
    "Participants : les personnes marquées présentes ; pour un tour dont la présence n'a pas été relevée, "
    "les places confirmées.",
    "Entreprises : les organisations distinctes dont un site a été visité (une visite refusée ne compte pas) ; "
    "prescripteurs : les prescripteurs distincts ayant au moins un participant compté. "
    "Chacun compte une fois, quel que soit le nombre d'actions.",
    "Sorties : une personne (participant compté) compte une fois par type de sortie "
    "(recrutement, formation, stage ou immersion), même enregistrée plusieurs fois.",
    "Perception : personnes ayant répondu avant et après une même action ; « améliorée » si la note "
    "de l'affirmation principale a augmenté entre sa première réponse « avant » et sa dernière réponse « après » de "
    "la période. Chaque personne compte une fois. Taux de réponse : "
    "ces personnes ÷ les personnes concernées (prescripteurs inscrits, contacts des entreprises visitées).",
    "Taux de remplissage : places confirmées ÷ places offertes ; taux d'absence : absents ÷ présences relevées.",
    "Intérêt au débriefing (Ambassadeurs des métiers) : participants comptés dont la réponse a été relevée "
    "au débriefing d'une visite, par réponse (oui, veut aller plus loin / peut-être / non) ; "
    "une réponse par participation, sans réponse relevée la personne n'est pas comptée.",
    "Diffusion : dans les exports et le bilan imprimé, un effectif de 1 à 4 personnes s'affiche « < 5 » "
    "et les personnes sont pseudonymisées.",
]


def cell(count: int) -> str:
    """A count as a funder may see it: « < 5 » for 1 to 4 people."""
    return HIDDEN if 0 < count < SMALL_CELL else str(count)


def rate_cell(numerator: int, denominator: int) -> str:
    """A percentage as a funder may see it: hidden when under 5 people are behind it."""
    if denominator == 0:
        return "—"
    if denominator < SMALL_CELL or 0 < numerator < SMALL_CELL:
        return "non diffusé (< 5 personnes)"
    return f"{round(100 * numerator / denominator)} %"


def percent(value: float | None) -> str:
    """An exact rate, for the organiser's page."""
    return "—" if value is None else f"{round(100 * value)} %"


@dataclass(frozen=True)
class Row:
    """One line of the bilan: a section, an indicator, its exact count and how funders see it."""

    section: str
    label: str
    exact: str
    shared: str


def bilan_rows(bilan: Bilan) -> list[Row]:
    """The bilan as lines (the CSV export, the ODS's first sheet, the page's summary table)."""

    def count(section: str, label: str, n: int) -> Row:
        return Row(section, label, str(n), cell(n))

    rows = [
        count("Activité", "Actions menées", bilan.actions),
        count("Activité", "Entreprises visitées (distinctes)", bilan.companies),
        count("Activité", "Prescripteurs touchés (distincts)", bilan.prescribers),
        count("Activité", "Participants", bilan.participants),
        Row(
            "Activité",
            "Taux de remplissage",
            percent(bilan.fill_rate),
            rate_cell(bilan.seats_confirmed, bilan.seats_offered),
        ),
        Row(
            "Activité",
            "Taux d'absence",
            percent(bilan.no_show_rate),
            rate_cell(bilan.absent, bilan.present + bilan.absent),
        ),
        count("Sorties", "Recrutements", bilan.recruitments),
        count("Sorties", "Entrées en formation", bilan.trainings),
        count("Sorties", "Stages ou immersions (PMSMP)", bilan.internships),
    ]
    rows += [count(INTEREST_SECTION, interest.label, bilan.interest.get(interest, 0)) for interest in Interest]
    for respondent in Respondent:
        figures = bilan.perception[respondent]
        section = f"Perception — {respondent.label.lower()}"
        rows += [
            count(section, "Ont répondu avant et après", figures.answered),
            count(section, "Dont la perception s'est améliorée", figures.improved),
            Row(
                section,
                "Part en progrès",
                percent(figures.improved_rate),
                rate_cell(figures.improved, figures.answered),
            ),
            Row(
                section,
                "Taux de réponse",
                percent(figures.response_rate),
                rate_cell(figures.answered, figures.concerned),
            ),
        ]
    for item in bilan.by_slice:
        kind = item.kind.label if item.kind else "Sans organisation"
        rows.append(count("Participants par public", f"{item.role.label} · {kind}", item.participants))
    return rows


def filter_lines(slice_: BilanFilter, territory_label: str, kind_label: str, organisation_label: str) -> list[str]:
    """The slice in words, for the head of an export."""
    return [
        f"Période : du {slice_.start:%d/%m/%Y} au {slice_.end:%d/%m/%Y}",
        f"Territoire : {territory_label}",
        f"Programme : {kind_label}",
        f"Organisation : {organisation_label}",
    ]


def to_csv(bilan: Bilan, heading: list[str]) -> str:
    """The bilan for funders as CSV (semicolons and a BOM, for French spreadsheets); small cells hidden."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for line in heading:
        writer.writerow([line])
    writer.writerow([])
    writer.writerow(["Rubrique", "Indicateur", "Valeur"])
    for row in bilan_rows(bilan):
        writer.writerow([row.section, row.label, row.shared])
    writer.writerow([])
    writer.writerow(["Mois", "Actions", "Participants"])
    for month in bilan.by_month:
        writer.writerow([month.month, cell(month.actions), cell(month.participants)])
    return out.getvalue()


def pseudonym(secret: str, participant_id: int) -> str:
    """A stable pseudonym for a person in exports: a keyed hash of their id."""
    digest = hmac.new(secret.encode(), f"participant:{participant_id}".encode(), hashlib.sha256).hexdigest()
    return f"P-{digest[:10]}"


def outcome_lines(slice_: BilanFilter) -> list[tuple[int, str, OutcomeKind, str | None, date]]:
    """Counted participants' outcomes in the slice: (participant id, month of the action, kind, contract, date)."""
    facts = booking_facts(plain_actions(slice_))
    rows = db.session.execute(
        select(Outcome.participant_id, month_of(facts.c.start_at), Outcome.kind, Outcome.contract, Outcome.occurred_on)
        .select_from(facts)
        .join(Participant, Participant.booking_id == facts.c.id)
        .join(Outcome, Outcome.participant_id == Participant.id)
        .where((Participant.attendance == Attendance.PRESENT) | (facts.c.tour_recorded == 0))
        .order_by(Outcome.occurred_on, Outcome.id)
    )
    return [
        (pid, str(month), OutcomeKind(kind), contract.label if contract else None, on)
        for pid, month, kind, contract, on in rows
    ]


def to_ods(
    bilan: Bilan,
    heading: list[str],
    outcomes: list[tuple[int, str, OutcomeKind, str | None, date]],
    secret: str,
    definitions: list[str],
) -> bytes:
    """The bilan for funders as an OpenDocument spreadsheet: indicators, months, pseudonymised outcomes, definitions."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableColumnProperties, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    bold = Style(name="Gras", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    wide = Style(name="Large", family="table-column")
    wide.addElement(TableColumnProperties(columnwidth="6cm"))
    document.automaticstyles.addElement(bold)
    document.automaticstyles.addElement(wide)

    def sheet(name: str, header: list[str], lines: list[list[Any]], columns: int) -> None:
        table = Table(name=name)
        for _ in range(columns):
            table.addElement(TableColumn(stylename=wide))
        for line in [[h] for h in heading] + [[]] + [header]:
            row = TableRow()
            for value in line:
                cell_ = TableCell(valuetype="string", stylename=bold if line is header else None)
                cell_.addElement(P(text=str(value)))
                row.addElement(cell_)
            table.addElement(row)
        for line in lines:
            row = TableRow()
            for value in line:
                if isinstance(value, int):
                    cell_ = TableCell(valuetype="float", value=value)
                else:
                    cell_ = TableCell(valuetype="string")
                cell_.addElement(P(text=str(value)))
                row.addElement(cell_)
            table.addElement(row)
        document.spreadsheet.addElement(table)

    def shared(text: str) -> int | str:
        return int(text) if text.isdigit() else text

    sheet(
        "Indicateurs",
        ["Rubrique", "Indicateur", "Valeur"],
        [[r.section, r.label, shared(r.shared)] for r in bilan_rows(bilan)],
        3,
    )
    sheet(
        "Par mois",
        ["Mois", "Actions", "Participants"],
        [[m.month, shared(cell(m.actions)), shared(cell(m.participants))] for m in bilan.by_month],
        3,
    )
    sheet(
        "Sorties (pseudonymisées)",
        ["Personne", "Mois de l'action", "Sortie", "Contrat", "Date"],
        [
            [pseudonym(secret, pid), month, kind.label, contract or "", on.isoformat()]
            for pid, month, kind, contract, on in outcomes
        ],
        5,
    )
    sheet("Définitions", ["Définition"], [[line] for line in definitions], 1)
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()
