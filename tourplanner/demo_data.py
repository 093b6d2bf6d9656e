"""The content of the demo data set: two real territories, fictional companies and people.

Territories, towns and industrial zones are real (Lyon east and the Gier valley); the
zones' coordinates are WGS84 points inside each town's industrial area. Every company,
person and e-mail address is invented: any likeness to a real firm is accidental. The
addresses name a zone and a lot rather than a street number, so that none points at a
real firm's door. Trades carry their ROME code (France Travail's job catalogue).

Dates are not here: `tourplanner.demo` places slots and tours relative to the day the
demo was first loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from tourplanner.accounts.enums import OrganisationKind, Role
from tourplanner.tours.enums import TourKind

#: Every demo user's address ends with this (a sub-domain kept for the demo).
DEMO_DOMAIN = "demo.tourplanner.example"

LYON_EST = "Lyon Est"
VALLEE_DU_GIER = "Vallée du Gier"

#: (south, west, north, east) of each territory, in WGS84 degrees: every demo site lies inside.
TERRITORY_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    LYON_EST: (45.66, 4.87, 45.80, 5.05),
    VALLEE_DU_GIER: (45.46, 4.50, 45.60, 4.78),
}


@dataclass(frozen=True)
class ZoneData:
    """An industrial zone of a territory."""

    name: str
    city: str
    territory: str
    lat: float
    lon: float


ZONES: tuple[ZoneData, ...] = (
    ZoneData("ZI Meyzieu-Jonage", "Meyzieu", LYON_EST, 45.7815, 5.0235),
    ZoneData("Zones d'activités de Décines-Charpieu", "Décines-Charpieu", LYON_EST, 45.7700, 4.9700),
    ZoneData("Parc Technologique de Lyon", "Saint-Priest", LYON_EST, 45.7240, 4.9190),
    ZoneData("Lotissement industriel Vénissieux – Corbas – Saint-Priest", "Vénissieux", LYON_EST, 45.6985, 4.9130),
    ZoneData("Zone d'activités Corbas-Montmartin", "Corbas", LYON_EST, 45.6790, 4.9230),
    ZoneData("Usin Lyon Parilly", "Vénissieux", LYON_EST, 45.7200, 4.8880),
    ZoneData("Novaciéries – ZA des Pistes d'essais", "Saint-Chamond", VALLEE_DU_GIER, 45.4785, 4.5225),
    ZoneData("Zones d'activités de Rive-de-Gier (entrée est)", "Rive-de-Gier", VALLEE_DU_GIER, 45.5305, 4.6290),
    ZoneData("Zones d'activités de Givors (bords du Gier)", "Givors", VALLEE_DU_GIER, 45.5870, 4.7560),
)

# Protective equipment that comes up again and again.
SHOES_GLASSES = "Chaussures de sécurité et lunettes de protection (prêtées à l'accueil)"
SHOES_GLASSES_EARS = "Chaussures de sécurité, lunettes et bouchons d'oreilles (prêtés à l'accueil)"
HYGIENE = "Charlotte, blouse et surchaussures fournies ; ni bijoux ni montre dans les ateliers"
HI_VIS = "Gilet haute visibilité et chaussures de sécurité (prêtés à l'accueil)"


@dataclass(frozen=True)
class CompanyData:
    """A fictional company, its one site and what visitors see there."""

    name: str
    zone: str
    city: str
    postcode: str
    lot: str
    lat: float
    lon: float
    sector: str
    #: "CODE Label" per trade, ROME codes.
    trades: tuple[str, ...]
    protective_equipment: str | None
    is_accessible: bool
    has_bus_parking: bool
    access_notes: str
    visit_minutes: int
    max_visitors: int

    @property
    def site_name(self) -> str:
        """The site's name: the company's, and the town."""
        return f"{self.name} – {self.city}"

    @property
    def address(self) -> str:
        """A postal address that names the zone and lot, never a real street number."""
        return f"{self.lot}, {self.zone}, {self.postcode} {self.city}"


_ZI_MEYZIEU = "ZI Meyzieu-Jonage"
_DECINES = "Zones d'activités de Décines-Charpieu"
_PARC_TECHNO = "Parc Technologique de Lyon"
_LOTISSEMENT = "Lotissement industriel Vénissieux – Corbas – Saint-Priest"
_MONTMARTIN = "Zone d'activités Corbas-Montmartin"
_PARILLY = "Usin Lyon Parilly"
_NOVACIERIES = "Novaciéries – ZA des Pistes d'essais"
_RIVE = "Zones d'activités de Rive-de-Gier (entrée est)"
_GIVORS = "Zones d'activités de Givors (bords du Gier)"

COMPANIES: tuple[CompanyData, ...] = (
    # ---- Lyon Est -------------------------------------------------------------------
    CompanyData(
        "Ateliers Vercanne",
        _ZI_MEYZIEU,
        "Meyzieu",
        "69330",
        "Lot 12",
        45.7832,
        5.0198,
        "Métallurgie – usinage de précision",
        (
            "H2903 Conduite d'équipement d'usinage",
            "H2912 Réglage d'équipement de production industrielle",
            "H1506 Intervention technique qualité en mécanique et travail des métaux",
        ),
        SHOES_GLASSES,
        True,
        True,
        "Parking car devant l'accueil. Atelier de plain-pied, allées marquées au sol.",
        75,
        25,
    ),
    CompanyData(
        "Jonaplast Injection",
        _ZI_MEYZIEU,
        "Meyzieu",
        "69330",
        "Lot 27",
        45.7801,
        5.0262,
        "Plasturgie – injection de pièces techniques",
        (
            "H3201 Conduite d'équipement de formage des plastiques et caoutchoucs",
            "H3202 Réglage d'équipement de formage des plastiques et caoutchoucs",
            "H3302 Opérations manuelles d'assemblage, tri ou emballage",
        ),
        SHOES_GLASSES_EARS,
        True,
        True,
        "Le car se gare sur le parking poids lourds. Salle d'accueil au rez-de-chaussée.",
        60,
        25,
    ),
    CompanyData(
        "Biscuiterie du Grand Large",
        _ZI_MEYZIEU,
        "Meyzieu",
        "69330",
        "Lot 41",
        45.7848,
        5.0291,
        "Agroalimentaire – biscuiterie",
        (
            "H2102 Conduite d'équipement de production alimentaire",
            "H3301 Conduite d'équipement de conditionnement",
            "I1304 Installation et maintenance d'équipements industriels et d'exploitation",
        ),
        HYGIENE,
        True,
        True,
        "Visite par la galerie vitrée : hygiène stricte, pas de nourriture ni de boisson apportée.",
        60,
        15,
    ),
    CompanyData(
        "Rhône Est Logistique",
        _ZI_MEYZIEU,
        "Meyzieu",
        "69330",
        "Lot 58",
        45.7869,
        5.0340,
        "Logistique – entrepôt multi-clients",
        (
            "N1103 Magasinage et préparation de commandes",
            "N1101 Conduite d'engins de déplacement des charges",
            "N1303 Intervention technique d'exploitation logistique",
        ),
        HI_VIS,
        True,
        True,
        "Entrée par le poste de garde, quai 3. Circulation des chariots : rester derrière le guide.",
        45,
        30,
    ),
    CompanyData(
        "Chaudronnerie Fontclair",
        _DECINES,
        "Décines-Charpieu",
        "69150",
        "Bâtiment C",
        45.7712,
        4.9668,
        "Métallurgie – chaudronnerie et tuyauterie",
        ("H2902 Chaudronnerie - tôlerie", "H2913 Soudage manuel", "H2914 Réalisation et montage en tuyauterie"),
        SHOES_GLASSES_EARS,
        False,
        False,
        "Pas de place pour un car : dépose du groupe devant le portail, stationnement à 300 m. "
        "Le bureau des méthodes est à l'étage, sans ascenseur.",
        60,
        25,
    ),
    CompanyData(
        "Ondine Formulations",
        _DECINES,
        "Décines-Charpieu",
        "69150",
        "Lot 6",
        45.7686,
        4.9731,
        "Chimie – détergents et produits d'entretien",
        (
            "H2301 Conduite d'équipement de production chimique ou pharmaceutique",
            "H3303 Préparation de matières et produits industriels (broyage, mélange, ...)",
            "H3301 Conduite d'équipement de conditionnement",
        ),
        "Blouse et lunettes de sécurité fournies ; chaussures fermées obligatoires",
        True,
        True,
        "Site classé : consignes de sécurité de 10 minutes à l'arrivée, téléphones rangés en zone de fabrication.",
        60,
        12,
    ),
    CompanyData(
        "Sagitec Robotique",
        _PARC_TECHNO,
        "Saint-Priest",
        "69800",
        "Bâtiment Orion",
        45.7252,
        4.9165,
        "Métallurgie – machines spéciales et robotique",
        (
            "H2909 Montage-assemblage mécanique",
            "H2602 Câblage électrique et électromécanique",
            "I1304 Installation et maintenance d'équipements industriels et d'exploitation",
        ),
        "Chaussures de sécurité (prêtées à l'accueil)",
        True,
        True,
        "Parking visiteurs accessible aux cars. Démonstration d'une cellule robotisée en fin de visite.",
        90,
        25,
    ),
    CompanyData(
        "Polyforme Composites",
        _PARC_TECHNO,
        "Saint-Priest",
        "69800",
        "Bâtiment Véga",
        45.7228,
        4.9214,
        "Plasturgie – pièces en matériaux composites",
        (
            "H3203 Fabrication de pièces en matériaux composites",
            "H3404 Peinture industrielle",
            "H3302 Opérations manuelles d'assemblage, tri ou emballage",
        ),
        "Lunettes, gants et masque fournis dans l'atelier de stratification",
        True,
        False,
        "Le car dépose le groupe sur l'allée principale du parc et stationne au parking relais.",
        60,
        12,
    ),
    CompanyData(
        "Arômes de la Plaine",
        _PARC_TECHNO,
        "Saint-Priest",
        "69800",
        "Bâtiment Lyra",
        45.7263,
        4.9228,
        "Agroalimentaire – arômes et préparations",
        ("H2102 Conduite d'équipement de production alimentaire", "H3301 Conduite d'équipement de conditionnement"),
        HYGIENE,
        True,
        True,
        "Dégustation à l'aveugle en fin de visite ; signaler les allergies à l'inscription.",
        60,
        12,
    ),
    CompanyData(
        "Peintures Vénitole",
        _LOTISSEMENT,
        "Vénissieux",
        "69200",
        "Lot 33",
        45.6996,
        4.9098,
        "Chimie – peintures industrielles",
        (
            "H2301 Conduite d'équipement de production chimique ou pharmaceutique",
            "H3303 Préparation de matières et produits industriels (broyage, mélange, ...)",
            "N1103 Magasinage et préparation de commandes",
        ),
        SHOES_GLASSES,
        False,
        True,
        "Laboratoire couleur à l'étage sans ascenseur ; l'atelier de fabrication est de plain-pied.",
        60,
        25,
    ),
    CompanyData(
        "Prestatôle Découpe",
        _LOTISSEMENT,
        "Vénissieux",
        "69200",
        "Lot 47",
        45.6972,
        4.9152,
        "Métallurgie – découpe laser et pliage",
        (
            "H2905 Conduite d'équipement de formage et découpage des matériaux",
            "H2902 Chaudronnerie - tôlerie",
            "H2912 Réglage d'équipement de production industrielle",
        ),
        SHOES_GLASSES_EARS,
        True,
        True,
        "Grand parking à l'entrée. Démonstration de pliage sur presse à commande numérique.",
        60,
        25,
    ),
    CompanyData(
        "Translyre Logistique",
        _LOTISSEMENT,
        "Saint-Priest",
        "69800",
        "Lot 52",
        45.7003,
        4.9187,
        "Logistique – messagerie et transport",
        (
            "N4101 Conduite de transport de marchandises sur longue distance",
            "N1103 Magasinage et préparation de commandes",
            "N1101 Conduite d'engins de déplacement des charges",
        ),
        HI_VIS,
        True,
        True,
        "Visite du quai de tri et de la salle d'exploitation ; essai de simulateur de conduite poids lourd.",
        60,
        30,
    ),
    CompanyData(
        "Estampages Corbelin",
        _MONTMARTIN,
        "Corbas",
        "69960",
        "Lot 9",
        45.6803,
        4.9205,
        "Métallurgie – forge et estampage",
        (
            "H2904 Conduite d'équipement de déformation des métaux",
            "H3403 Conduite de traitement thermique",
            "I1310 Maintenance mécanique industrielle",
        ),
        SHOES_GLASSES_EARS + " ; bras couverts",
        False,
        True,
        "Atelier chaud et bruyant : visite par la passerelle, vêtements longs conseillés.",
        75,
        25,
    ),
    CompanyData(
        "Frigolog Sud-Lyonnais",
        _MONTMARTIN,
        "Corbas",
        "69960",
        "Lot 21",
        45.6774,
        4.9262,
        "Logistique – entrepôt frigorifique",
        (
            "N1103 Magasinage et préparation de commandes",
            "N1101 Conduite d'engins de déplacement des charges",
            "N1303 Intervention technique d'exploitation logistique",
        ),
        HI_VIS + " ; une veste chaude est conseillée (chambres froides à 2 °C)",
        True,
        True,
        "Quais accessibles par la rampe côté bureaux.",
        45,
        25,
    ),
    CompanyData(
        "Cellhydra Systèmes",
        _PARILLY,
        "Vénissieux",
        "69200",
        "Halle 4",
        45.7205,
        4.8874,
        "Métallurgie – assemblage de systèmes à hydrogène",
        (
            "H2909 Montage-assemblage mécanique",
            "H2605 Montage et câblage électronique",
            "H1506 Intervention technique qualité en mécanique et travail des métaux",
        ),
        "Chaussures de sécurité et blouse antistatique (prêtées)",
        True,
        False,
        "Campus en ville : le car dépose le groupe boulevard Joliot-Curie, stationnement non prévu sur place.",
        60,
        12,
    ),
    # ---- Vallée du Gier ---------------------------------------------------------------
    CompanyData(
        "Mécagier Usinage",
        _NOVACIERIES,
        "Saint-Chamond",
        "42400",
        "Lot 3",
        45.4792,
        4.5198,
        "Métallurgie – usinage de grande série",
        (
            "H2903 Conduite d'équipement d'usinage",
            "H2906 Conduite d'installation automatisée ou robotisée de fabrication mécanique",
            "H2912 Réglage d'équipement de production industrielle",
        ),
        SHOES_GLASSES,
        True,
        True,
        "Accueil dans l'ancienne halle rénovée ; parking car sur l'esplanade.",
        75,
        25,
    ),
    CompanyData(
        "Traitements Gerbelle",
        _NOVACIERIES,
        "Saint-Chamond",
        "42400",
        "Lot 8",
        45.4776,
        4.5247,
        "Métallurgie – traitements de surface et thermiques",
        (
            "H3402 Conduite de traitement par dépôt de surface",
            "H3403 Conduite de traitement thermique",
            "H1506 Intervention technique qualité en mécanique et travail des métaux",
        ),
        SHOES_GLASSES + " ; blouse fournie",
        False,
        True,
        "Bains de traitement : rester sur les passerelles balisées. Pas de visite pour les moins de 16 ans.",
        60,
        15,
    ),
    CompanyData(
        "Plastigier Extrusion",
        _NOVACIERIES,
        "Saint-Chamond",
        "42400",
        "Lot 11",
        45.4801,
        4.5262,
        "Plasturgie – extrusion de tubes et profilés",
        (
            "H3201 Conduite d'équipement de formage des plastiques et caoutchoucs",
            "H3202 Réglage d'équipement de formage des plastiques et caoutchoucs",
            "N1101 Conduite d'engins de déplacement des charges",
        ),
        SHOES_GLASSES_EARS,
        True,
        True,
        "Lignes d'extrusion en continu : la visite suit le sens du produit, de la matière au stock.",
        60,
        25,
    ),
    CompanyData(
        "Conserveries du Pilat",
        _NOVACIERIES,
        "Saint-Chamond",
        "42400",
        "Lot 14",
        45.4770,
        4.5211,
        "Agroalimentaire – conserverie de légumes",
        (
            "H2102 Conduite d'équipement de production alimentaire",
            "H3301 Conduite d'équipement de conditionnement",
            "H3302 Opérations manuelles d'assemblage, tri ou emballage",
        ),
        HYGIENE,
        True,
        True,
        "Pic d'activité en saison : groupes de 12 au plus, visite par la coursive vitrée.",
        60,
        12,
    ),
    CompanyData(
        "Ferronnerie Couzonnaise",
        _RIVE,
        "Rive-de-Gier",
        "42800",
        "Lot 2",
        45.5312,
        4.6262,
        "Métallurgie – structures métalliques",
        ("H2911 Réalisation de structures métalliques", "H2913 Soudage manuel", "H2902 Chaudronnerie - tôlerie"),
        SHOES_GLASSES_EARS,
        False,
        True,
        "Essai de soudure sur simulateur proposé en fin de visite. Atelier sur deux niveaux, sans ascenseur.",
        75,
        25,
    ),
    CompanyData(
        "Ripachim Adhésifs",
        _RIVE,
        "Rive-de-Gier",
        "42800",
        "Lot 7",
        45.5296,
        4.6318,
        "Chimie – colles et adhésifs",
        (
            "H2301 Conduite d'équipement de production chimique ou pharmaceutique",
            "H3303 Préparation de matières et produits industriels (broyage, mélange, ...)",
            "H3301 Conduite d'équipement de conditionnement",
        ),
        "Blouse, lunettes et gants fournis ; chaussures fermées obligatoires",
        True,
        True,
        "Consignes de sécurité à l'accueil ; la visite du laboratoire se fait par groupes de 6.",
        60,
        12,
    ),
    CompanyData(
        "Outilgier",
        _RIVE,
        "Rive-de-Gier",
        "42800",
        "Lot 15",
        45.5321,
        4.6305,
        "Métallurgie – moules et outillages",
        (
            "H2903 Conduite d'équipement d'usinage",
            "H1203 Conception et dessin produits mécaniques",
            "H2912 Réglage d'équipement de production industrielle",
        ),
        SHOES_GLASSES,
        True,
        True,
        "Bureau d'études et atelier au même niveau ; présentation d'un moule en coupe.",
        90,
        25,
    ),
    CompanyData(
        "Gieroute Transports",
        _RIVE,
        "Rive-de-Gier",
        "42800",
        "Lot 19",
        45.5289,
        4.6275,
        "Logistique – transport et entreposage",
        (
            "N4101 Conduite de transport de marchandises sur longue distance",
            "N1103 Magasinage et préparation de commandes",
            "N1303 Intervention technique d'exploitation logistique",
        ),
        HI_VIS,
        True,
        True,
        "Grande cour : le car entre et fait demi-tour sur place.",
        45,
        30,
    ),
    CompanyData(
        "Rotagier Turbines",
        _GIVORS,
        "Givors",
        "69700",
        "Lot 4",
        45.5862,
        4.7538,
        "Métallurgie – pièces de turbines",
        (
            "H2903 Conduite d'équipement d'usinage",
            "H2913 Soudage manuel",
            "H1506 Intervention technique qualité en mécanique et travail des métaux",
        ),
        SHOES_GLASSES_EARS,
        True,
        True,
        "Salle de métrologie climatisée : pas plus de 10 personnes à la fois, le groupe est partagé.",
        75,
        25,
    ),
    CompanyData(
        "Fromagerie des Deux Rives",
        _GIVORS,
        "Givors",
        "69700",
        "Lot 10",
        45.5881,
        4.7579,
        "Agroalimentaire – fromagerie",
        ("H2102 Conduite d'équipement de production alimentaire", "H3301 Conduite d'équipement de conditionnement"),
        HYGIENE,
        True,
        False,
        "Le car dépose le groupe devant la fromagerie et stationne au parking de la gare.",
        45,
        12,
    ),
    CompanyData(
        "Rhodagier Polymères",
        _GIVORS,
        "Givors",
        "69700",
        "Lot 16",
        45.5858,
        4.7592,
        "Chimie – compoundage de polymères",
        (
            "H2301 Conduite d'équipement de production chimique ou pharmaceutique",
            "H3201 Conduite d'équipement de formage des plastiques et caoutchoucs",
            "H3303 Préparation de matières et produits industriels (broyage, mélange, ...)",
        ),
        SHOES_GLASSES_EARS,
        False,
        True,
        "Tour de mélange sur quatre niveaux, sans ascenseur : la visite reste au rez-de-chaussée pour "
        "les personnes à mobilité réduite, sur demande.",
        60,
        25,
    ),
)


@dataclass(frozen=True)
class OrganisationData:
    """A non-company organisation taking part: association, authority, agency."""

    name: str
    kind: OrganisationKind
    city: str


ORGANISATIONS: tuple[OrganisationData, ...] = (
    OrganisationData(
        "Association des industriels de l'Est lyonnais", OrganisationKind.EMPLOYERS_ASSOCIATION, "Saint-Priest"
    ),
    OrganisationData("Saint-Étienne Métropole – service emploi", OrganisationKind.LOCAL_AUTHORITY, "Saint-Étienne"),
    OrganisationData("France Travail Vénissieux", OrganisationKind.FRANCE_TRAVAIL, "Vénissieux"),
    OrganisationData("France Travail Meyzieu", OrganisationKind.FRANCE_TRAVAIL, "Meyzieu"),
    OrganisationData("France Travail Rive-de-Gier", OrganisationKind.FRANCE_TRAVAIL, "Rive-de-Gier"),
    OrganisationData("Mission locale de Vénissieux", OrganisationKind.MISSION_LOCALE, "Vénissieux"),
    OrganisationData("Mission locale du Gier", OrganisationKind.MISSION_LOCALE, "Saint-Chamond"),
    OrganisationData("Cap emploi Rhône", OrganisationKind.CAP_EMPLOI, "Lyon"),
    OrganisationData("Cap emploi Loire", OrganisationKind.CAP_EMPLOI, "Saint-Étienne"),
    OrganisationData("Tremplin Est – entreprise d'insertion", OrganisationKind.SIAE, "Décines-Charpieu"),
    OrganisationData("Les Ateliers du Couzon – chantier d'insertion", OrganisationKind.SIAE, "Rive-de-Gier"),
)


@dataclass(frozen=True)
class PersonData:
    """A demo user: `local` is the part of the address before @demo.tourplanner.example."""

    local: str
    name: str
    role: Role
    organisation: str
    #: What they do, for the summary.
    job: str

    @property
    def email(self) -> str:
        """The person's demo address."""
        return f"{self.local}@{DEMO_DOMAIN}"


PEOPLE: tuple[PersonData, ...] = (
    # The first organiser marks the demo: the day they were created anchors every date.
    PersonData(
        "claire.dumont",
        "Claire Dumont",
        Role.ORGANISER,
        "Association des industriels de l'Est lyonnais",
        "chargée de mission emploi-industrie",
    ),
    PersonData(
        "julien.ferrand",
        "Julien Ferrand",
        Role.ORGANISER,
        "Saint-Étienne Métropole – service emploi",
        "chargé de développement économique",
    ),
    PersonData("nadia.benali", "Nadia Benali", Role.PRESCRIBER, "France Travail Vénissieux", "conseillère emploi"),
    PersonData("thomas.girard", "Thomas Girard", Role.PRESCRIBER, "France Travail Meyzieu", "conseiller entreprises"),
    PersonData(
        "sophie.marchetti", "Sophie Marchetti", Role.PRESCRIBER, "France Travail Rive-de-Gier", "conseillère emploi"
    ),
    PersonData(
        "karim.haddad", "Karim Haddad", Role.PRESCRIBER, "Mission locale de Vénissieux", "conseiller en insertion"
    ),
    PersonData("emilie.roux", "Émilie Roux", Role.PRESCRIBER, "Mission locale du Gier", "conseillère en insertion"),
    PersonData("marc.lefevre", "Marc Lefèvre", Role.PRESCRIBER, "Cap emploi Rhône", "chargé d'accompagnement"),
    PersonData("lucie.vidal", "Lucie Vidal", Role.PRESCRIBER, "Cap emploi Loire", "chargée d'accompagnement"),
    PersonData(
        "aurelie.blanchard",
        "Aurélie Blanchard",
        Role.PRESCRIBER,
        "Tremplin Est – entreprise d'insertion",
        "accompagnatrice socioprofessionnelle",
    ),
    PersonData(
        "herve.pons",
        "Hervé Pons",
        Role.PRESCRIBER,
        "Les Ateliers du Couzon – chantier d'insertion",
        "encadrant technique",
    ),
    PersonData("isabelle.moreau", "Isabelle Moreau", Role.COMPANY, "Ateliers Vercanne", "responsable RH"),
    PersonData("nicolas.perrin", "Nicolas Perrin", Role.COMPANY, "Rhône Est Logistique", "responsable de site"),
    PersonData(
        "patrick.lemoine", "Patrick Lemoine", Role.COMPANY, "Biscuiterie du Grand Large", "directeur industriel"
    ),
    PersonData("sandrine.petit", "Sandrine Petit", Role.COMPANY, "Sagitec Robotique", "chargée de recrutement"),
    PersonData("olivier.garnier", "Olivier Garnier", Role.COMPANY, "Estampages Corbelin", "responsable de production"),
    PersonData("celine.faure", "Céline Faure", Role.COMPANY, "Mécagier Usinage", "responsable RH"),
    PersonData("laurent.bonnet", "Laurent Bonnet", Role.COMPANY, "Ferronnerie Couzonnaise", "gérant"),
    PersonData("valerie.michel", "Valérie Michel", Role.COMPANY, "Rotagier Turbines", "responsable formation"),
    PersonData(
        "yasmine.cherif", "Yasmine Cherif", Role.AMBASSADOR, "Ateliers Vercanne", "régleuse sur centre d'usinage"
    ),
    PersonData("kevin.martins", "Kevin Martins", Role.AMBASSADOR, "Chaudronnerie Fontclair", "soudeur"),
    PersonData("fatou.diallo", "Fatou Diallo", Role.AMBASSADOR, "Jonaplast Injection", "conductrice de presse"),
    PersonData("mehdi.saidi", "Mehdi Saïdi", Role.AMBASSADOR, "Sagitec Robotique", "monteur-câbleur"),
    PersonData("romain.chabert", "Romain Chabert", Role.AMBASSADOR, "Mécagier Usinage", "technicien de maintenance"),
    PersonData("ines.boyer", "Inès Boyer", Role.AMBASSADOR, "Conserveries du Pilat", "opératrice de conditionnement"),
)


@dataclass(frozen=True)
class TourData:
    """A demo tour. Its day is the `weekday` (0 = Monday) on or after `days_after` the anchor."""

    title: str
    kind: TourKind
    territory: str
    description: str
    organiser: str
    days_after: int
    weekday: int
    #: (hour, minute) local times.
    start: tuple[int, int]
    end: tuple[int, int]
    meeting_point_name: str
    meeting_lat: float
    meeting_lon: float
    bus_seats: tuple[int, ...]
    #: Bookings close this many days before the tour, at 18:00.
    deadline_days_before: int
    #: ((earliest), (latest), minutes) or None.
    lunch: tuple[tuple[int, int], tuple[int, int], int] | None
    max_seats_per_booking: int | None
    publish: bool
    #: Candidate slots: every slot of the territory's sites on the tour's day within the
    #: tour's hours, restricted to these towns when given.
    towns: tuple[str, ...] | None
    #: Ambassadors' addresses (local part) and the bus index they ride.
    ambassadors: tuple[tuple[str, int], ...]


TOURS: tuple[TourData, ...] = (
    TourData(
        "ZI Tour Lyon Est – Meyzieu, Saint-Priest, Vénissieux-Corbas",
        TourKind.ZI_TOUR,
        LYON_EST,
        "Une journée en car à la découverte des usines de l'Est lyonnais : métallurgie, plasturgie, "
        "agroalimentaire, chimie et logistique. Deux cars, déjeuner offert au restaurant "
        "inter-entreprises. Prévoir une pièce d'identité et des vêtements couvrants.",
        "claire.dumont",
        21,
        1,
        (8, 30),
        (17, 0),
        "Gare de Lyon Part-Dieu, parvis Béraudier",
        45.7606,
        4.8593,
        (22, 22),
        5,
        ((12, 0), (13, 30), 60),
        6,
        True,
        None,
        (("yasmine.cherif", 0), ("kevin.martins", 1)),
    ),
    TourData(
        "ZI Tour Vallée du Gier – Saint-Chamond, Rive-de-Gier, Givors",
        TourKind.ZI_TOUR,
        VALLEE_DU_GIER,
        "Le car remonte la vallée du Gier de Givors à Saint-Chamond : usinage, traitements de surface, "
        "plasturgie, chimie et agroalimentaire. Déjeuner pris ensemble à Rive-de-Gier.",
        "julien.ferrand",
        28,
        3,
        (8, 30),
        (17, 30),
        "Gare de Rive-de-Gier",
        45.5281,
        4.6186,
        (20,),
        6,
        ((12, 0), (13, 15), 45),
        5,
        False,
        None,
        (("romain.chabert", 0), ("ines.boyer", 0)),
    ),
    TourData(
        "Ambassadeurs des métiers – visites en petit groupe à Saint-Priest et Corbas",
        TourKind.COMPANY_VISIT,
        LYON_EST,
        "Un après-midi en minibus avec un ambassadeur de l'industrie : deux ou trois entreprises, "
        "en petit groupe, pour poser toutes ses questions sur les métiers et les recrutements.",
        "claire.dumont",
        14,
        2,
        (13, 30),
        (17, 30),
        "Parc Technologique de Lyon, Saint-Priest (accueil du parc)",
        45.7240,
        4.9190,
        (8,),
        3,
        None,
        2,
        True,
        ("Saint-Priest", "Corbas"),
        (("mehdi.saidi", 0),),
    ),
)


@dataclass(frozen=True)
class PastTourData:
    """A tour already held: its day is the `weekday` on or before `days_before` the anchor."""

    title: str
    territory: str
    description: str
    organiser: str
    days_before: int
    weekday: int
    meeting_point_name: str
    meeting_lat: float
    meeting_lon: float
    bus_seats: tuple[int, ...]
    #: Ambassadors' addresses (local part) and the bus index they rode.
    ambassadors: tuple[tuple[str, int], ...]
    #: (prescriber's local part, seats) of each booking, in booking order.
    bookings: tuple[tuple[str, int], ...]


#: Held tours: 08:30–17:00, lunch 12:00–13:30, bookings closed 5 days before; every seat named,
#: attendance taken on the day (a few absences).
PAST_TOURS: tuple[PastTourData, ...] = (
    PastTourData(
        "ZI Tour Lyon Est – Décines et Meyzieu (session précédente)",
        LYON_EST,
        "La session précédente du ZI Tour de l'Est lyonnais : chaudronnerie, plasturgie, logistique.",
        "claire.dumont",
        35,
        1,
        "Gare de Lyon Part-Dieu, parvis Béraudier",
        45.7606,
        4.8593,
        (22,),
        (("yasmine.cherif", 0),),
        (("nadia.benali", 5), ("thomas.girard", 4), ("karim.haddad", 4), ("marc.lefevre", 3), ("aurelie.blanchard", 4)),
    ),
    PastTourData(
        "ZI Tour Vallée du Gier – Saint-Chamond et Rive-de-Gier (session précédente)",
        VALLEE_DU_GIER,
        "La session précédente du ZI Tour de la vallée du Gier : usinage, plasturgie, structures métalliques.",
        "julien.ferrand",
        63,
        3,
        "Gare de Rive-de-Gier",
        45.5281,
        4.6186,
        (20,),
        (("romain.chabert", 0),),
        (("sophie.marchetti", 5), ("emilie.roux", 4), ("lucie.vidal", 3), ("herve.pons", 5)),
    ),
)

#: Bookings on the coming tours, (prescriber's local part, seats) in booking order: the Lyon Est
#: ZI Tour fills its two buses and keeps a waiting list; the small group has a few.
COMING_BOOKINGS: dict[str, tuple[tuple[str, int], ...]] = {
    TOURS[0].title: (
        ("nadia.benali", 6),
        ("thomas.girard", 6),
        ("karim.haddad", 5),
        ("marc.lefevre", 6),
        ("aurelie.blanchard", 6),
        ("nadia.benali", 5),
        ("thomas.girard", 6),
        ("karim.haddad", 4),
        ("marc.lefevre", 3),
        ("aurelie.blanchard", 2),
    ),
    TOURS[2].title: (("karim.haddad", 2), ("marc.lefevre", 2), ("aurelie.blanchard", 2)),
}

#: The coming tour on which a company declines its visit (the last one with a demo contact), and why.
DECLINED_VISIT = (TOURS[0].title, "Arrêt technique de la ligne ce jour-là : nous ne pourrons pas vous recevoir.")

#: Fictional first and last names of the job seekers the prescribers accompany.
FIRST_NAMES = (
    "Amine",
    "Léa",
    "Moussa",
    "Chloé",
    "Yanis",
    "Manon",
    "Samir",
    "Camille",
    "Lucas",
    "Aïcha",
    "Hugo",
    "Sarah",
    "Bilal",
    "Jade",
    "Enzo",
    "Nora",
    "Théo",
    "Inès",
    "Rayan",
    "Clara",
)
LAST_NAMES = (
    "Martin",
    "Benali",
    "Dubois",
    "Traoré",
    "Lambert",
    "Nguyen",
    "Fontaine",
    "Haddad",
    "Giraud",
    "Diop",
    "Rousseau",
    "Kaci",
    "Morel",
    "Silva",
    "Chevalier",
    "Mercier",
    "Bouzid",
    "Faure",
    "Perret",
    "Lopez",
)
#: A reverse visit (kind siae_visit): companies' people come to meet those an insertion
#: structure prepares for training or hiring. No company visit: no candidate slot.
REVERSE_VISIT = TourData(
    "Visite inversée – Tremplin Est, entreprise d'insertion de Décines",
    TourKind.SIAE_VISIT,
    LYON_EST,
    "Les salariés en parcours d'insertion de Tremplin Est présentent leurs ateliers et leurs savoir-faire ; "
    "les industriels rencontrent des personnes disponibles pour une formation ou une embauche.",
    "claire.dumont",
    10,
    3,
    (9, 0),
    (11, 30),
    "Tremplin Est, Décines-Charpieu (accueil)",
    45.7690,
    4.9590,
    (12,),
    2,
    None,
    3,
    True,
    (),
    (),
)
#: A workshop event (kind workshop): co-creation workshops side by side with institutional
#: partners, companies and job seekers; people register for one workshop per time slot.
WORKSHOP_EVENT = TourData(
    "Atelier de co-création – recruter autrement dans l'industrie",
    TourKind.WORKSHOP,
    LYON_EST,
    "Une matinée de travail entre partenaires de l'emploi, industriels et demandeurs d'emploi : "
    "plusieurs ateliers en parallèle, chacun sur un thème ; un compte rendu est partagé ensuite.",
    "claire.dumont",
    17,
    3,
    (9, 0),
    (12, 30),
    "Maison de l'emploi de Vénissieux, salle polyvalente",
    45.6970,
    4.8860,
    (40,),
    3,
    None,
    None,
    True,
    (),
    (),
)
#: Its workshops: (theme, places, (start hour, minute), (end hour, minute)).
WORKSHOPS: tuple[tuple[str, int, tuple[int, int], tuple[int, int]], ...] = (
    ("Recruter sans CV : la méthode de recrutement par simulation", 12, (9, 15), (10, 45)),
    ("Accueillir un stagiaire en immersion", 12, (9, 15), (10, 45)),
    ("Former en interne : tutorat et CQPM", 15, (11, 0), (12, 15)),
)
#: The Ambassadeurs des métiers session's agenda: (step, (hour, minute), place).
SESSION_AGENDA: tuple[tuple[str, tuple[int, int], str], ...] = (
    ("briefing", (13, 30), "Parc Technologique de Lyon, accueil du parc (salle de réunion)"),
    ("visit", (14, 0), "Entreprises du parc, à Saint-Priest et Corbas"),
    ("debriefing", (16, 45), "Parc Technologique de Lyon, accueil du parc"),
)
#: The insertion structure hosting the reverse visit.
REVERSE_VISIT_HOST = "Tremplin Est – entreprise d'insertion"

#: What the passeport tells job seekers of some companies: pay, in-house training, open positions, how to apply.
PASSEPORT_FACTS: dict[str, dict[str, str]] = {
    "Ateliers Vercanne": {
        "pay_range": "1 950 à 2 400 € brut par mois selon l'équipe (2×8), primes comprises",
        "in_house_training": "Six mois de tutorat sur machine, puis un CQPM d'opérateur-régleur",
        "open_positions": "2 opérateurs sur centre d'usinage, 1 régleur",
        "how_to_apply": "Par votre conseiller, ou CV à l'attention d'Isabelle Moreau (RH), à l'accueil du site",
        "visitor_contacts": "Isabelle Moreau, responsable RH",
    },
    "Jonaplast Injection": {
        "pay_range": "1 850 à 2 200 € brut par mois, prime d'équipe",
        "in_house_training": "Formation à la conduite de presse en interne (trois semaines en binôme)",
        "open_positions": "3 conducteurs de presse à injecter",
        "how_to_apply": "Jobdating mensuel à l'usine : inscription par votre conseiller",
    },
    "Biscuiterie du Grand Large": {
        "pay_range": "SMIC + 13e mois et primes de nuit",
        "in_house_training": "Parcours d'intégration de deux semaines, hygiène et conduite de ligne",
        "open_positions": "Conducteurs de ligne (CDI), techniciens de maintenance",
        "how_to_apply": "Candidature par votre conseiller France Travail ; période de mise en situation possible",
        "visitor_contacts": "Patrick Lemoine, directeur industriel",
    },
}
