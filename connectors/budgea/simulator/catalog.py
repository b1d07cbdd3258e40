"""Static data the simulated Powens domain serves: connectors (banks) and the label vocabulary the ledger
draws its transactions from. Pure data, no logic."""
from __future__ import annotations

#: Powens connectors the simulator ships (reference/budgea.md §3). ``40618`` is Boursorama's bank code, as in the
#: vendor example ``connector_object_example.json``; the LCL one is modelled the same way.
CONNECTORS: list[dict] = [
    {
        "id": 4, "uuid": "5a1b7c3e-0b1f-4d8e-9c1a-40618b0a0004", "name": "Boursorama", "code": "40618",
        "slug": "BOU", "color": "f10389", "hidden": False, "charged": True, "beta": False,
        "capabilities": ["bank", "profile", "document"], "urls": ["https://clients.boursorama.com"],
        "sync_periodicity": 1, "months_to_fetch": None, "auth_mechanism": "credentials",
        "transfer_mechanism": None, "siret": None, "restricted": False,
        "fields": [
            {"name": "login", "type": "text", "label": "Identifiant", "description": None,
             "required": True, "regex": "^[0-9]{8}$", "values": [], "auth_mechanisms": ["credentials"]},
            {"name": "password", "type": "password", "label": "Mot de passe", "description": None,
             "required": True, "regex": "^[0-9]{8}$", "values": [], "auth_mechanisms": ["credentials"]},
        ],
    },
    {
        "id": 21, "uuid": "8c2d9e4f-1a2b-4c3d-8e9f-30002c0a0021", "name": "LCL", "code": "30002",
        "slug": "LCL", "color": "1d3d8f", "hidden": False, "charged": True, "beta": False,
        "capabilities": ["bank", "profile", "document"], "urls": ["https://monespace.lcl.fr"],
        "sync_periodicity": 1, "months_to_fetch": None, "auth_mechanism": "credentials",
        "transfer_mechanism": None, "siret": None, "restricted": False,
        "fields": [
            {"name": "login", "type": "text", "label": "Identifiant", "description": None,
             "required": True, "regex": "^[0-9]{10}[A-Z]?$", "values": [], "auth_mechanisms": ["credentials"]},
            {"name": "password", "type": "password", "label": "Code personnel", "description": None,
             "required": True, "regex": "^[0-9]{6}$", "values": [], "auth_mechanisms": ["credentials"]},
        ],
    },
]

#: card merchants: (printed name, min cents, max cents, Powens category code, parent code)
MERCHANTS_PARIS: list[tuple[str, int, int, str | None, str | None]] = [
    ("MONOP PARIS", 350, 4800, "groceries", "food_and_restaurants"),
    ("CARREFOUR CITY PARIS", 290, 3900, "groceries", "food_and_restaurants"),
    ("FRANPRIX PARIS 11", 250, 2600, "groceries", "food_and_restaurants"),
    ("BOULANGERIE PAUL PARIS", 180, 1450, "restaurants", "food_and_restaurants"),
    ("SNCF INTERNET PARIS", 1900, 14900, None, None),
    ("FNAC PARIS", 990, 12900, None, None),
    ("UBER EATS PARIS", 1200, 4200, "restaurants", "food_and_restaurants"),
    ("PHARMACIE DU MARCHE PARIS", 420, 3600, None, None),
    ("AMAZON PAYMENTS LUXEMBOURG", 799, 8999, None, None),
    ("RATP PARIS", 210, 8640, None, None),
]

MERCHANTS_LYON: list[tuple[str, int, int, str | None, str | None]] = [
    ("CARREFOUR MARKET LYON", 1500, 16500, "groceries", "food_and_restaurants"),
    ("LECLERC LYON 8", 2500, 19000, "groceries", "food_and_restaurants"),
    ("BIOCOOP LYON", 900, 6500, "groceries", "food_and_restaurants"),
    ("DECATHLON LYON", 1490, 9990, None, None),
    ("TOTAL ENERGIES LYON", 3000, 8500, None, None),
    ("IKEA SAINT PRIEST", 1900, 24900, None, None),
]

#: the coffee bought twice the same day (identical same-day rows)
COFFEE = ("CAFE DE FLORE PARIS", 450)

#: generic label the bank shows for a card payment that has not been debited yet
PENDING_CARD_LABEL = "PAIEMENT CB EN COURS"
