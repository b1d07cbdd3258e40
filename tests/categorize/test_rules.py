"""Ordered rules: user rules before the default taxonomy, first match wins, conditions, errors, bank hints."""
from __future__ import annotations

from decimal import Decimal

import pytest

from connectors.errors import ConfigError
from pipeline.edits import read_user_rules
from transforms import categorize as c

D = Decimal


def cat(label, amount="-12.30", rules=None, bank=None, **kw):
    return c.categorize(label, c.kind_of(label), D(amount), bank, rules, **kw)


@pytest.mark.parametrize("label,amount,expected", [
    ("CARTE 13/06/22 CARREFOUR CITY PARIS", "-23.10", "Alimentation:Supermarché"),
    ("CB UBER EATS PARIS LE 02/03", "-18.00", "Alimentation:Restaurants et cafés"),
    ("CARTE 02/03/24 UBER TRIP", "-14.00", "Transport:Taxi et VTC"),
    ("CARTE 02/03/24 AMAZON PRIME", "-6.99", "Loisirs:Abonnements numériques"),
    ("CARTE 02/03/24 AMAZON PAYMENTS", "-36.99", "Achats:En ligne"),
    ("PRLV SEPA TOTALENERGIES ELECTRICITE ET GAZ FRANCE", "-80.00", "Logement:Énergie et eau"),
    ("CARTE 02/03/24 TOTAL ENERGIES LYON", "-60.00", "Transport:Carburant"),
    ("PRLV SEPA L ORANGE BLEUE MOUVEMENT", "-29.90", "Loisirs:Sport"),
    ("PRLV SEPA ORANGE SA", "-29.90", "Télécom et internet"),
    ("VIREMENT EN VOTRE FAVEUR SNCF VOYAGEURS SALAIRE", "2100.00", "Revenus:Salaire"),
    ("CB SNCF INTERNET LE 02/03", "-45.00", "Transport:Train, car et avion"),
    ("AVOIR 12/03/24 DECATHLON", "19.99", "Revenus:Remboursements"),
    ("CB RETRAIT DU 24/08 LYON", "-40.00", "Retraits"),
    ("VIR SEPA VERS LIVRET A", "-100.00", "Épargne et virements internes"),
    ("VIR INST M. MARTIN", "25.00", "Virements:Particuliers"),
])
def test_default_taxonomy(label, amount, expected):
    assert cat(label, amount) == (expected, "rule")


def test_default_order_matters():
    """UBER EATS is a restaurant only because the restaurant rule precedes the taxi rule."""
    rules = c.default_rules()
    taxi = next(i for i, r in enumerate(rules) if r.category == "Transport:Taxi et VTC")
    food = next(i for i, r in enumerate(rules) if r.category == "Alimentation:Restaurants et cafés")
    assert food < taxi
    swapped = list(rules)
    swapped[taxi], swapped[food] = swapped[food], swapped[taxi]
    assert cat("CB UBER EATS PARIS LE 02/03", rules=tuple(swapped))[0] == "Transport:Taxi et VTC"


def test_user_rules_come_first(tmp_path):
    p = tmp_path / "rules.toml"
    p.write_text('[[rule]]\ncategory = "Courses bio"\nmerchant = "^MONOPRIX"\n\n'
                 '[[rule]]\ncategory = "Jamais"\nlabel = "MONOPRIX"\n', "utf-8")
    rules = c.load_rules(read_user_rules(tmp_path))
    assert cat("CB MONOPRIX PARIS 11 LE 03/04", rules=rules) == ("Courses bio", "rule")
    assert cat("CB CARREFOUR CITY LE 24/08", rules=rules) == ("Alimentation:Supermarché", "rule")


def test_rule_conditions():
    rules = c.parse_rules('[[rule]]\ncategory = "Gros achat"\nkind = "card"\nsign = "debit"\nmin_amount = 500\n'
                          '[[rule]]\ncategory = "Compte joint"\naccount = "00040754305"\nlabel = "."\n', "t.toml")
    assert cat("CB DARTY LE 02/03", "-799.00", rules=rules)[0] == "Gros achat"
    assert cat("CB DARTY LE 02/03", "-79.00", rules=rules) == (None, "none")
    assert cat("CB DARTY LE 02/03", "799.00", rules=rules) == (None, "none")
    assert cat("VIR X", "-5", rules=rules, account="00040754305")[0] == "Compte joint"
    assert cat("VIR X", "-5", rules=rules, account="999") == (None, "none")


@pytest.mark.parametrize("text,needle", [
    ('[[rule]]\nlabel = "X"\n', "category"),
    ('[[rule]]\ncategory = "A"\nlabel = "("\n', "regular expression"),
    ('[[rule]]\ncategory = "A"\nkind = "cartes"\n', "unknown kind"),
    ('[[rule]]\ncategory = "A"\nlable = "X"\n', "unknown key"),
    ('[[rule]]\ncategory = "A"\n', "at least one"),
    ('[[rule]\n', "not valid TOML"),
])
def test_bad_rules_name_file_and_rule(text, needle):
    with pytest.raises(ConfigError) as e:
        c.parse_rules(text, "/data/rules.toml")
    assert needle in str(e.value) and "/data/rules.toml" in str(e.value)


def test_bank_hint_mapped_kept_or_dropped():
    assert cat("XYZ", bank="groceries") == ("Alimentation:Supermarché", "bank")
    assert cat("XYZ", bank="Restaurants, bars") == ("Alimentation:Restaurants et cafés", "bank")
    assert cat("XYZ", bank="Catégorie maison") == ("Catégorie maison", "bank")
    assert cat("XYZ", bank="Non catégorisé") == (None, "none")
    assert cat("CB MONOPRIX LE 03/04", bank="bars") == ("Alimentation:Supermarché", "rule")  # rule before hint


@pytest.mark.parametrize("label,amount,bank", [
    ("CARTE 13/06/22 CARREFOUR CITY PARIS CB*1234", "-23.10", None),
    ("CARTE 14/07/23 CARREFOUR CITY PARIS CB*1234", "5.00", None),
    ("PAIEMENT CB 1907 69 LYON LIME RIDE CARTE 91279078", "-3.00", None),
    ("XYZ 12/03/24", "-3.00", "groceries"),
    ("CHQ 1234567", "-30.00", None),
])
def test_describe_equals_the_separate_functions(label, amount, bank):
    """The masked, cached hot path gives what the plain functions give."""
    kind = c.kind_of(label)
    assert c.describe(label, D(amount), bank) == (kind, c.merchant_of(label),
                                                   *c.categorize(label, kind, D(amount), bank, c.default_rules()))


# ------------------------------------------------------------------------------------ issue 15
def test_label_hint_is_the_banks_and_rules_do_not_read_it():
    # N26 prints its category under the card row; joined to the label it is a hint, not rule text
    assert c.label_hint("JOHN MC BYRNE Mastercard • Bars et restaurants") == "Alimentation:Restaurants et cafés"
    assert cat("JOHN MC BYRNE Mastercard • Bars et restaurants") == ("Alimentation:Restaurants et cafés", "bank")
    assert c.label_hint("SAS AVRIDIS Mastercard • Shopping") is None  # too vague: not mapped, not kept
    assert cat("SAS AVRIDIS Mastercard • Shopping") == (None, "none")
    assert c.label_hint("BARS ET RESTAURANTS") is None  # only after a card network and a bullet
    assert c.rule_text("LIDL MASTERCARD • BARS ET RESTAURANTS") == "LIDL"
    assert c.merchant_of("LIDL 3876 Mastercard • Courses alimentaires") == "LIDL"


def test_knowledge_base_names_are_whole_words():
    rules = c.kb_rules({"merchant": [{"category": "Assurances", "names": ["MAAF", "GRAS SAVOYE", "C&A"]}]},
                       "kb.toml")
    def hit(label, amount="-10"):
        return c.match_rules(label, "direct_debit", Decimal(amount), rules)
    assert hit("PRLV SEPA MAAF ASSURANCES") == "Assurances"
    assert hit("PRLV SEPA MAAFX") is None
    # banks drop or change the spaces between words ("ANTONYCARBURANT"), never letters at the edges
    assert hit("GRAS-SAVOYE ASS.") == "Assurances" and hit("GRASSAVOYE") == "Assurances"
    assert hit("GRAS SAVOYEX") is None and hit("XGRAS SAVOYE") is None
    assert hit("CB C&A PARIS") == "Assurances" and hit("CB C&AB") is None
    assert hit("PRLV SEPA MAAF", "10") is None  # debit rules only


def test_knowledge_base_entry_needs_category_and_names():
    with pytest.raises(ConfigError) as e:
        c.kb_rules({"merchant": [{"category": "Santé", "names": []}]}, "kb.toml")
    assert "kb.toml" in str(e.value) and "merchant 1" in str(e.value)


@pytest.mark.parametrize("label,amount,expected", [
    ("CB CARREFOUR DAC V", "-47.77", "Transport:Carburant"),          # DAC = fuel pump, before the supermarket
    ("*HABITATION 001919425", "-33.00", "Assurances"),               # Caisse d'Epargne insurance, not a fee
    ("REMISE COMMERCIALE D AGIOS", "2.21", "Frais bancaires"),        # a fee rebate, not a cheque deposit
    ("PAIEMENT CB 2206 143,38 USD VONS STORE00 CARTE 02892630", "-105.89", None),  # abstains, unknown abroad
    ("VIR. SUR LE P.E.L 3000401234", "-45.00", "Épargne et virements internes"),
])
def test_real_label_shapes(label, amount, expected):
    assert cat(label, amount)[0] == expected


def test_foreign_amount_before_the_merchant_keeps_the_merchant():
    assert c.merchant_of("PAIEMENT CB 2406 87,60 USD BOARDRIDERS CLUB CARTE 02892630") == "BOARDRIDERS CLUB"


def test_knowledge_base_credit_category():
    rules = c.kb_rules({"merchant": [{"category": "Assurances", "credit_category": "Revenus:Remboursements",
                                      "names": ["GRAS SAVOYE"]}]}, "kb.toml")
    assert c.match_rules("VIREMENT SEPA EVI GRAS SAVOYE", "transfer", Decimal("13.60"), rules) == \
        "Revenus:Remboursements"
    assert c.match_rules("PRLV SEPA GRAS SAVOYE", "direct_debit", Decimal("-4.50"), rules) == "Assurances"
    without = c.kb_rules({"merchant": [{"category": "Assurances", "names": ["GRAS SAVOYE"]}]}, "kb.toml")
    assert c.match_rules("VIREMENT SEPA EVI GRAS SAVOYE", "transfer", Decimal("13.60"), without) is None
