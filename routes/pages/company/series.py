"""Recurring availability of a company's site: create, days to come, exceptions, pause and resume."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import (
    DateField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
    StringField,
    TimeField,
)
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from routes.pages import pages
from routes.pages.company.common import act_and_go_back, attach_errors, sentence
from routes.pages.forms import REQUIRED, ActionForm, FrenchForm, InRange, too_long
from tourplanner.accounts.models import User
from tourplanner.db import utcnow
from tourplanner.errors import Conflict, InvalidInput
from tourplanner.extensions import db
from tourplanner.formatting import counted
from tourplanner.sites import operations, recurrence
from tourplanner.sites import series as series_ops
from tourplanner.sites.models import SlotSeries
from tourplanner.timeutil import to_local

WEEKDAYS = [
    ("MO", "Lundi"),
    ("TU", "Mardi"),
    ("WE", "Mercredi"),
    ("TH", "Jeudi"),
    ("FR", "Vendredi"),
    ("SA", "Samedi"),
    ("SU", "Dimanche"),
]


class CheckboxesField(SelectMultipleField):
    """Several choices as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SeriesForm(FrenchForm):
    """Offer a recurring availability: days of the week, or a rule in RFC 5545 text."""

    weekdays = CheckboxesField(
        "Jours de la semaine", choices=[SelectChoice(code, name) for code, name in WEEKDAYS], validate_choice=True
    )
    interval = IntegerField(
        "Toutes les … semaines", default=1, validators=[Optional(), InRange(1, 52, "Entre 1 et 52.")]
    )
    rrule = StringField("Règle avancée (RRULE)", validators=[Optional(), too_long(500)])
    start_time = TimeField("Heure de début", validators=[InputRequired(REQUIRED)])
    end_time = TimeField("Heure de fin", validators=[InputRequired(REQUIRED)])
    starts_on = DateField("Premier jour", validators=[InputRequired(REQUIRED)])
    ends_on = DateField("Dernier jour", validators=[InputRequired(REQUIRED)])
    visit_minutes = IntegerField("Durée de la visite (minutes)", default=90, validators=[InputRequired(REQUIRED)])
    max_visitors = IntegerField("Visiteurs au plus", default=20, validators=[InputRequired(REQUIRED)])

    def rule_text(self) -> str:
        """The RRULE: the advanced text when given, else built from the ticked days."""
        if self.rrule.data and self.rrule.data.strip():
            return self.rrule.data
        if not self.weekdays.data:
            return ""
        interval = self.interval.data or 1
        return (
            "FREQ=WEEKLY;" + (f"INTERVAL={interval};" if interval > 1 else "") + "BYDAY=" + ",".join(self.weekdays.data)
        )


class ExceptionForm(FrenchForm):
    """A day of a series without a slot."""

    date = DateField("Jour sans créneau", validators=[InputRequired(REQUIRED)])


SERIES_FIELDS = {"rrule": "rrule", "exdates": "starts_on"}


@pages.route("/entreprise/sites/<int:site_id>/series/nouvelle", methods=["GET", "POST"])
@login_required
def company_series_new(site_id: int):
    """Offer a recurring availability at a site ("every Tuesday 9:00–12:00 from March to June")."""
    site = operations.company_site(current_user, site_id)
    form = SeriesForm()
    if form.validate_on_submit():
        details = series_ops.SeriesDetails(
            site.id,
            form.rule_text(),
            form.start_time.data,
            form.end_time.data,
            form.starts_on.data,
            form.ends_on.data,
            form.visit_minutes.data,
            form.max_visitors.data,
        )
        try:
            series, expansion = series_ops.create_series(details, current_user)
            db.session.commit()
        except InvalidInput as error:
            db.session.rollback()
            attach_errors(
                form, error, {**SERIES_FIELDS, "rrule": "rrule" if (form.rrule.data or "").strip() else "weekdays"}
            )
        else:
            _flash_expansion(len(expansion.created), expansion.skipped)
            return redirect(url_for("pages.company_series", series_id=series.id))
    return render_template("company/series_form.html", form=form, site=site), 422 if form.errors else 200


def _flash_expansion(created: int, skipped: list[series_ops.SkippedOccurrence]) -> None:
    """Say how many slots the series gave and which days were skipped, and why."""
    flash(
        f"Disponibilité enregistrée : {counted(created, 'créneau proposé', 'créneaux proposés')} "
        "pour les semaines à venir.",
        "success",
    )
    for item in skipped:
        holiday = recurrence.public_holiday(item.day)
        if holiday is not None:
            flash(f"Pas de créneau le {recurrence.french_day(item.day)} (jour férié : {holiday}).", "success")
        else:
            flash(f"Pas de créneau le {item.day:%d/%m/%Y} : {item.reason}.", "error")


@pages.get("/entreprise/series/<int:series_id>")
@login_required
def company_series(series_id: int):
    """A recurring availability: its days to come, exceptions, pause switch."""
    series = series_ops.company_series(current_user, series_id)
    return _render_series(series, ExceptionForm())


def _render_series(series: SlotSeries, exception_form: ExceptionForm, status: int = 200):
    today = to_local(utcnow()).date()
    horizon = today + timedelta(weeks=series_ops.horizon_weeks())
    slots = {to_local(slot.start_at).date(): slot for slot in series.slots}
    excluded = set(series.exdates or [])
    days = []
    for day in recurrence.occurrence_days(series, today, horizon):
        days.append(
            {
                "day": day,
                "slot": slots.get(day),
                "is_exception": day.isoformat() in excluded,
                "holiday": recurrence.public_holiday(day),
            }
        )
    public_holidays = [item for item in recurrence.holidays_skipped(series) if item.day >= today]
    exceptions = [date.fromisoformat(value) for value in series.exdates or []]
    return render_template(
        "company/series.html",
        series=series,
        days=days,
        exceptions=exceptions,
        horizon=horizon,
        description=recurrence.describe_rule(series),
        exception_form=exception_form,
        action_form=ActionForm(),
        public_holidays=public_holidays,
    ), status


@pages.post("/entreprise/series/<int:series_id>/exceptions")
@login_required
def company_series_exception_add(series_id: int):
    """Exclude a day from a series."""
    series = series_ops.company_series(current_user, series_id)
    form = ExceptionForm()
    if not form.validate_on_submit():
        return _render_series(series, form, 422)
    try:
        series_ops.add_exception(series, form.date.data, current_user)
        db.session.commit()
    except InvalidInput as error:
        db.session.rollback()
        attach_errors(form, error, fallback="date")
        return _render_series(series, form, 422)
    except Conflict as error:
        db.session.rollback()
        flash(f"Action impossible : {sentence(error)}", "error")
    else:
        flash(f"Plus de créneau le {form.date.data:%d/%m/%Y}.", "success")
    return redirect(url_for("pages.company_series", series_id=series_id))


@pages.post("/entreprise/series/<int:series_id>/exceptions/<day>/retirer")
@login_required
def company_series_exception_remove(series_id: int, day: str):
    """Offer an excluded day again."""
    series = series_ops.company_series(current_user, series_id)
    try:
        parsed = date.fromisoformat(day)
        expansion = series_ops.remove_exception(series, parsed, current_user)
        db.session.commit()
    except ValueError:
        flash("Action impossible : date illisible.", "error")
    except InvalidInput as error:
        db.session.rollback()
        flash(f"Action impossible : {sentence(error)}", "error")
    else:
        if expansion.skipped:
            for item in expansion.skipped:
                flash(f"Pas de créneau le {item.day:%d/%m/%Y} : {item.reason}.", "error")
        else:
            flash(f"Le {parsed:%d/%m/%Y} est de nouveau proposé.", "success")
    return redirect(url_for("pages.company_series", series_id=series_id))


def _series_switch(series_id: int, verb: Callable[[SlotSeries, User], object], done: str):
    """The pause switch of one of the company's series: the verb, then back to the series."""
    series = series_ops.company_series(current_user, series_id)
    return act_and_go_back(series, current_user, verb, done, url_for("pages.company_series", series_id=series_id))


@pages.post("/entreprise/series/<int:series_id>/pause")
@login_required
def company_series_pause(series_id: int):
    """Pause a series for a busy period."""
    return _series_switch(
        series_id,
        series_ops.pause_series,
        "Série en pause : ses créneaux à venir ne sont plus proposés (les visites prévues restent).",
    )


@pages.post("/entreprise/series/<int:series_id>/reprendre")
@login_required
def company_series_resume(series_id: int):
    """Resume a paused series."""
    return _series_switch(
        series_id, series_ops.resume_series, "Série reprise : ses créneaux à venir sont de nouveau proposés."
    )
