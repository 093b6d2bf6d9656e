"""Page forms (Flask-WTF: CSRF token on every form)."""

from __future__ import annotations

from decimal import Decimal

from flask import request
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.i18n import get_translations
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from tourplanner.email_address import is_email
from tourplanner.timeutil import is_existing_local_time
from tourplanner.tours.enums import TourKind
from tourplanner.tours.queries import reverse_visit_hosts

REQUIRED = "Ce champ est obligatoire."
NOT_A_NUMBER = "Indiquez un nombre."

#: WTForms' own messages ("Not a valid integer value."…) in French, with or without Babel.
FRENCH = get_translations(["fr_FR", "fr"])


#: The pages' query parameters are French (as the catalogue's); the English names they had first stay accepted.
FORMER_NAMES = {"du": "from", "au": "to", "territoire": "territory", "type": "kind"}


def page_arg(name: str) -> str:
    """The query parameter `name` of a page, or its former English name; "" when absent."""
    return request.args.get(name) or request.args.get(FORMER_NAMES.get(name, name), "")


def too_long(maximum: int) -> Length:
    """At most `maximum` characters, said in French."""
    return Length(max=maximum, message=f"{maximum} caractères au plus.")


def email_address(form: object, field: object) -> None:
    """An e-mail address by tourplanner's one rule (tourplanner.email_address), said in French."""
    data = getattr(field, "data", None)
    if data and not is_email(data):
        raise ValidationError("Adresse e-mail invalide.")


class InRange(NumberRange):
    """NumberRange that stays silent when the value could not be read (another message says so)."""

    def __call__(self, form: object, field: object) -> None:
        """Check the bounds of a value that was read; NaN and infinities are no numbers here."""
        data = getattr(field, "data", None)
        if data is None:
            return
        if isinstance(data, Decimal) and not data.is_finite():
            raise ValidationError(NOT_A_NUMBER)
        super().__call__(form, field)


class ExistingLocalTime:
    """A local date and time that happens on the clocks of the tours' zone.

    02:30 the night summer time begins does not exist (clocks go from 02:00 to 03:00):
    refused in French rather than silently moved. 02:30 the night summer time ends happens
    twice; the form takes the first one (tourplanner.timeutil.aware_local).
    """

    def __call__(self, form: object, field: object) -> None:
        """Refuse a wall-clock time skipped by the change to summer time."""
        value = getattr(field, "data", None)
        if value is not None and not is_existing_local_time(value):
            raise ValidationError(
                f"{value:%H:%M} n'existe pas le {value:%d/%m/%Y} : cette nuit-là, à 2 h, les horloges "
                "passent à 3 h (heure d'été). Choisissez une autre heure."
            )


def strip(value: str | None) -> str | None:
    """Surrounding spaces removed, as a browser does for an e-mail input."""
    return value.strip() if isinstance(value, str) else value


class FrenchForm(FlaskForm):
    """A Flask-WTF form (CSRF token included) whose built-in messages are in French."""

    class Meta:
        """Always French: Flask-WTF would only translate through Flask-Babel."""

        def get_translations(self, form: object) -> object:
            """WTForms' bundled French catalogue."""
            return FRENCH


class LoginForm(FrenchForm):
    """Ask for a sign-in link."""

    email = EmailField("Adresse e-mail", filters=[strip], validators=[DataRequired(REQUIRED), email_address])


class ConfirmForm(FrenchForm):
    """A button: only a POST spends a sign-in link (mail scanners only GET)."""


class ActionForm(FrenchForm):
    """A bare button with its CSRF token (publish, sign out…)."""


class CancelTourForm(FrenchForm):
    """Cancel a tour, with an optional reason told to the people concerned."""

    reason = StringField("Motif (envoyé aux personnes concernées)", validators=[Optional(), too_long(500)])


class TourForm(FrenchForm):
    """Create or edit a tour."""

    title = StringField("Titre", validators=[DataRequired(REQUIRED), too_long(200)])
    kind = SelectField(
        "Type de tour",
        choices=[SelectChoice(k.value, k.label) for k in TourKind if k is not TourKind.COHORT],
        default=TourKind.ZI_TOUR.value,
    )
    #: A reverse visit's host: the insertion structures (SIAE) known, read when the form is drawn.
    host_organisation_id = SelectField(
        "Structure d'insertion qui accueille (visite inversée seulement)",
        choices=lambda: _siae_choices(),
        default="",
        validate_choice=False,
    )
    description = TextAreaField("Description", validators=[Optional(), too_long(5000)])
    start = DateTimeLocalField(
        "Début", validators=[InputRequired(REQUIRED), ExistingLocalTime()], format="%Y-%m-%dT%H:%M"
    )
    end = DateTimeLocalField("Fin", validators=[InputRequired(REQUIRED), ExistingLocalTime()], format="%Y-%m-%dT%H:%M")
    booking_deadline = DateTimeLocalField(
        "Date limite d'inscription", validators=[InputRequired(REQUIRED), ExistingLocalTime()], format="%Y-%m-%dT%H:%M"
    )
    meeting_point_name = StringField("Lieu de rendez-vous", validators=[DataRequired(REQUIRED), too_long(200)])
    meeting_address = StringField("Adresse du rendez-vous", validators=[Optional(), too_long(300)])
    meeting_lat = DecimalField("Latitude", places=6, validators=[Optional(), InRange(-90, 90, "Entre -90 et 90.")])
    meeting_lon = DecimalField("Longitude", places=6, validators=[Optional(), InRange(-180, 180, "Entre -180 et 180.")])
    bus_seats = StringField(
        "Places par car (séparées par des virgules)",
        default="50",
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\s*\d+(\s*,\s*\d+)*\s*$", message="Indiquez des nombres séparés par des virgules, ex. 50, 30."),
        ],
    )
    max_seats_per_booking = IntegerField(
        "Places au plus par inscription", validators=[Optional(), InRange(1, 100, "Entre 1 et 100.")]
    )
    boarding_minutes = IntegerField(
        "Marge d'embarquement (minutes entre le rendez-vous et le départ du car, 0 à 30)",
        validators=[Optional(), InRange(0, 30, "Entre 0 et 30.")],
    )
    lunch_earliest = TimeField("Déjeuner : au plus tôt", validators=[Optional()])
    lunch_latest = TimeField("Déjeuner : au plus tard", validators=[Optional()])
    lunch_minutes = IntegerField(
        "Durée du déjeuner (minutes)", validators=[Optional(), InRange(1, 240, "Entre 1 et 240.")]
    )
    lunch_place = StringField("Lieu du déjeuner", validators=[Optional(), too_long(300)])


def _siae_choices() -> list[SelectChoice]:
    """The insertion structures a reverse visit may be hosted by, by name."""
    return [SelectChoice("", "Aucune")] + [SelectChoice(str(o.id), o.name) for o in reverse_visit_hosts()]
