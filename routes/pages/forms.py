"""Page forms (Flask-WTF: CSRF token on every form)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from tourplanner.tours.enums import TourKind

REQUIRED = "Ce champ est obligatoire."


class LoginForm(FlaskForm):
    """Ask for a sign-in link."""

    email = EmailField("Adresse e-mail", validators=[DataRequired(REQUIRED), Email("Adresse e-mail invalide.")])


class ConfirmForm(FlaskForm):
    """A button: only a POST spends a sign-in link (mail scanners only GET)."""


class ActionForm(FlaskForm):
    """A bare button with its CSRF token (publish, sign out…)."""


class CancelTourForm(FlaskForm):
    """Cancel a tour, with an optional reason told to the people concerned."""

    reason = StringField("Motif (envoyé aux personnes concernées)", validators=[Optional(), Length(max=500)])


class TourForm(FlaskForm):
    """Create or edit a tour."""

    title = StringField("Titre", validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField("Type de tour", choices=[(k.value, k.label) for k in TourKind], default=TourKind.ZI_TOUR.value)
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    start = DateTimeLocalField("Début", validators=[InputRequired(REQUIRED)], format="%Y-%m-%dT%H:%M")
    end = DateTimeLocalField("Fin", validators=[InputRequired(REQUIRED)], format="%Y-%m-%dT%H:%M")
    booking_deadline = DateTimeLocalField(
        "Date limite d'inscription", validators=[InputRequired(REQUIRED)], format="%Y-%m-%dT%H:%M"
    )
    meeting_point_name = StringField("Lieu de rendez-vous", validators=[DataRequired(REQUIRED), Length(max=200)])
    meeting_lat = DecimalField(
        "Latitude", places=6, validators=[InputRequired(REQUIRED), NumberRange(-90, 90, "Entre -90 et 90.")]
    )
    meeting_lon = DecimalField(
        "Longitude", places=6, validators=[InputRequired(REQUIRED), NumberRange(-180, 180, "Entre -180 et 180.")]
    )
    bus_seats = StringField(
        "Places par car (séparées par des virgules)",
        default="50",
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\s*\d+(\s*,\s*\d+)*\s*$", message="Indiquez des nombres séparés par des virgules, ex. 50, 30."),
        ],
    )
    max_seats_per_booking = IntegerField(
        "Places au plus par inscription", validators=[Optional(), NumberRange(1, 100, "Entre 1 et 100.")]
    )
    lunch_earliest = TimeField("Déjeuner : au plus tôt", validators=[Optional()])
    lunch_latest = TimeField("Déjeuner : au plus tard", validators=[Optional()])
    lunch_minutes = IntegerField("Durée du déjeuner (minutes)", validators=[Optional(), NumberRange(1, 240, "Entre 1 et 240.")])
