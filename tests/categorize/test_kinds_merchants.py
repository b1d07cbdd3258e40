"""Kinds and merchant normalization on realistic French bank labels."""
from __future__ import annotations

import pytest

from transforms import categorize as c

KINDS = [
    ("CARTE 13/06/22 CARREFOUR CITY PARIS CB*1234", "card"),
    ("CB MONOPRIX PARIS 11 LE 03/04", "card"),
    ("FACTURE CARTE DU 280223 ZODIO REIMS CARTE 4974XXXXXXXX3092", "card"),
    ("PAIEMENT PAR CARTE X1234 FRANPRIX 5034 75 PARIS 12/03", "card"),
    ("PAIEMENT CB 1907 69 LYON LIME RIDE CARTE 91279078", "card"),
    ("ACHAT CB QUICK 05.10.22 CARTE NUMERO 772", "card"),
    ("AVOIR 12/03/24 AMAZON PAYMENTS", "card"),
    ("Relevé différé Carte 4979XXXXXXXX5076", "card"),
    ("CB RETRAIT DU 24/08 LYON", "withdrawal"),
    ("CARTE X4521 RETRAIT DAB SG 12/03 12H34 PARIS", "withdrawal"),
    ("RETRAIT DAB 12/03/24 PARIS 11 BASTILLE", "withdrawal"),
    ("PRLV SEPA EDF CLIENTS PARTICULIERS", "direct_debit"),
    ("Prélèvement EDF", "direct_debit"),
    ("VIR SEPA RECU /DE ACME SAS /MOTIF SALAIRE", "transfer"),
    ("VIR INST M. MARTIN REMBOURSEMENT", "transfer"),
    ("VIREMENT EN VOTRE FAVEUR SNCF VOYAGEURS", "transfer"),
    ("CHQ 1234567", "check"),
    ("CHQ. 0012345", "check"),
    ("REMISE CHEQUE N 1234567", "deposit"),
    ("REM CHQ 0012345", "deposit"),
    ("VERSEMENT ESPECES", "deposit"),
    ("FRAIS TENUE DE COMPTE", "fee"),
    ("FRAIS RETRAIT DAB HORS ZONE EURO", "fee"),
    ("COTISATION CARTE VISA PREMIER", "fee"),
    ("*COMMISSION INTERVENTION", "fee"),
    ("INTERETS DEBITEURS", "fee"),
    ("INTERETS 2023", "interest"),
    ("INT. CREDITEURS AU 31/12/23", "interest"),
    ("ECHEANCE PRET 10278000123456", "loan"),
    ("Ech pret 0001234567 du 05/03/24", "loan"),
    ("SOLDE REPORTE", "other"),
]


@pytest.mark.parametrize("label,kind", KINDS)
def test_kind_of(label, kind):
    assert c.kind_of(label) == kind


def test_kind_order_matters(monkeypatch):
    """A withdrawal printed with a card prefix is a withdrawal only because withdrawal comes first."""
    pats = c.kind_patterns()
    swapped = tuple(sorted(pats, key=lambda k: k[0] != "card"))  # card first
    c._kind.cache_clear()
    monkeypatch.setattr(c, "kind_patterns", lambda: swapped)
    try:
        assert c.kind_of("CB RETRAIT DU 24/08 LYON") == "card"
    finally:
        c._kind.cache_clear()


MERCHANTS = [
    ("CARTE 13/06/22 CARREFOUR CITY PARIS CB*1234", "CARREFOUR CITY"),
    ("CARTE 13/06/22 VELIB METROPOLE 2 CB*0000", "VELIB METROPOLE"),
    ("CARTE 13/06/22 AMAZON PAYMENTS LUXEMBOURG", "AMAZON PAYMENTS"),
    ("CB CARREFOUR CITY LE 24/08", "CARREFOUR CITY"),
    ("CB MONOPRIX PARIS 11 LE 03/04", "MONOPRIX"),
    ("CB AMAZON EU SARL LE 12/03 46,99EUR 1 EURO = 1,000000", "AMAZON EU"),
    ("CARTE 12/03/24 LECLERC LYON 8", "LECLERC"),
    ("CARTE X3339 31/01 NATURALIA MONTPELLIER", "NATURALIA"),
    ("CARTE X1922 09/06 RATP VAL DE FONTENAY PARIS", "RATP VAL DE FONTENAY"),
    ("FACTURE CARTE DU 280223 ZODIO REIMS CARTE 4974XXXXXXXX3092", "ZODIO"),
    ("PAIEMENT PAR CARTE X1234 FRANPRIX 5034 75 PARIS 12/03", "FRANPRIX"),
    ("PAIEMENT CB 1907 69 LYON LIME RIDE CARTE 91279078", "LIME RIDE"),
    ("ACHAT CB QUICK 05.10.22 CARTE NUMERO 772", "QUICK"),
    ("FACT 120324 CB*1234 SUMUP *LE COMPTOIR", "LE COMPTOIR"),
    ("CB BOULANGERIE PAUL PARIS 15EME LE 02/02", "BOULANGERIE PAUL"),
    ("CARTE 01/02/24 STARBUCKS 75 PARIS FR", "STARBUCKS"),
    ("AVOIR 12/03/24 AMAZON PAYMENTS", "AMAZON PAYMENTS"),
    ("PRLV SEPA EDF CLIENTS PARTICULIERS ECH/150324 ID EMETTEUR/FR12ZZZ123456 MDT/00123456789 REF/EDF2403",
     "EDF CLIENTS PARTICULIERS"),
    ("PRLV SEPA EDF CLIENTS PARTICULIERS REF.MANDAT FR12EDF000123", "EDF CLIENTS PARTICULIERS"),
    ("PRLV SEPA ORANGE SA FACTURE INTERNET DONT TVA 8,70EUR", "ORANGE"),
    ("PRELEVEMENT DE FREE MOBILE", "FREE MOBILE"),
    ("VIR SEPA RECU /DE ACME SAS /MOTIF SALAIRE", "ACME"),
    ("VIR SEPA EMIS /A MR BERNARD PAUL /MOTIF ANNIV", "MR BERNARD PAUL"),
    ("VIR SEPA ACME SAS SALAIRE 2024-03", "ACME SAS SALAIRE"),
    ("VIREMENT EN VOTRE FAVEUR SNCF VOYAGEURS", "SNCF VOYAGEURS"),
    ("VIREMENT DE M OU MME GARCIA", "M OU MME GARCIA"),
    ("Prélèvement Société Générale", "SOCIETE GENERALE"),
]


@pytest.mark.parametrize("label,merchant", MERCHANTS)
def test_merchant_of(label, merchant):
    assert c.merchant_of(label) == merchant


@pytest.mark.parametrize("label", ["PAIEMENT CB EN COURS", "CHQ 1234567", "REMISE CHEQUE N 1234567"])
def test_labels_naming_no_merchant(label):
    assert c.merchant_of(label) is None


def test_a_city_alone_is_kept_rather_than_emptied():
    assert c.merchant_of("RETRAIT DAB PARIS") == "PARIS"


# ------------------------------------------------------------------------------------ issue 15: real shapes
@pytest.mark.parametrize("label,kind,merchant", [
    # Banque Populaire statement: "ddmmyy CB****nnnn" row, the merchant on the continuation line, glued to
    # the department and the city
    ("101123 CB****3735 BOULANGERIE MAL30BORDEAUX", "card", "BOULANGERIE MAL"),
    ("270619 CB****9999 AUCHAN SUPER DA33LA BREDE", "card", "AUCHAN SUPER DA"),
    ("260619 CB****9999 PEAGE AUTOROUTE84VEDENE CEDEX", "card", "PEAGE AUTOROUTE"),
    ("031123 CB****1352 HELLOFRESH NL Amsterdam 46,99EUR 1 EURO = 1,000000", "card", "HELLOFRESH"),
    ("CARTE X1234 12/03 FNAC PARIS 15EME", "card", "FNAC"),  # an arrondissement is not a department
    # Credit Mutuel: the foreign amount before the merchant; contactless "PSC"; BNP before 2010 "DU ddmmyy"
    ("PAIEMENT CB 2206 143,38 USD VONS STORE00 CARTE 02892630", "card", "VONS STORE00"),
    ("PAIEMENT PSC 0706 AVIGNON SARL PHIMABRI CARTE 02892630", "card", "SARL PHIMABRI"),
    ("DU 200408 SNCF INTERNET 77 ISLES LES ME", "card", "SNCF INTERNET 77 ISLES LES ME"),
    # N26: the category line under the row
    ("KIMSUFI Mastercard • Multimédia & Télécom", "card", "KIMSUFI"),
    ("NANTES MANGIN Mastercard • Distributeur automatique", "withdrawal", "NANTES MANGIN"),
    # fees printed without a leading "*"
    ("F COTIS EUROCPTE VIP TRANQ.", "fee", "F COTIS EUROCPTE VIP TRANQ"),
    ("DROITS DE GARDE 2009 DU COMPTE 123123123123", "fee", "DROITS DE GARDE 2009 DU COMPTE"),
])
def test_real_label_shapes(label, kind, merchant):
    assert c.kind_of(label) == kind
    assert c.merchant_of(label) == merchant
