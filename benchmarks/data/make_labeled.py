"""How benchmarks/data/labeled_labels.csv was composed (kept for transparency; the CSV is the data).

Hand-written merchant names (as card terminals and SEPA creditors print them) with their true category,
rendered in the label formats of several French banks (Boursorama, LCL, Société Générale, BNP Paribas,
Crédit Agricole, CIC/Crédit Mutuel, Banque Populaire/Caisse d'Épargne, La Banque Postale, online banks),
plus hand-written transfer, direct-debit, fee and income labels. Nothing here reads bankflow's rules.
Run: python benchmarks/data/make_labeled.py > benchmarks/data/labeled_labels.csv
"""
from __future__ import annotations

import csv
import datetime as dt
import random
import sys

R = random.Random(20240601)

CITIES = ["PARIS", "PARIS 11", "75 PARIS", "PARIS 15EME", "LYON", "LYON 3EME", "69 LYON", "MARSEILLE", "TOULOUSE",
          "NANTES", "BORDEAUX", "LILLE", "RENNES", "STRASBOURG", "MONTPELLIER", "NICE", "GRENOBLE", "ANGERS",
          "BOULOGNE BILL", "ST DENIS", "VINCENNES", "MONTREUIL", "NANTERRE", "VERSAILLES", "DIJON", "ROUEN",
          "LE MANS", "TOURS", "REIMS", "BREST", "AIX EN PROVENC", "CLERMONT FD", "FR", "", "", ""]

# (printed merchant, category, amount range in euros) — card payments
CARD = {
    "Alimentation:Supermarché": ["CARREFOUR CITY", "CARREFOUR MARKET", "CARREF MARKET", "MONOPRIX", "MONOP'",
        "FRANPRIX 5034", "LIDL 1287", "LIDL", "INTERMARCHE", "ITM ALIMENTAIRE", "AUCHAN SUPERMARCHE", "E.LECLERC",
        "LECLERC DRIVE", "SUPER U", "HYPER U", "U EXPRESS", "CASINO SHOP", "SPAR", "NATURALIA", "LA VIE CLAIRE",
        "BIOCOOP", "G20", "CARREFOUR EXPRESS", "ALDI MARCHE", "NETTO", "GRAND FRAIS", "PICARD SURGELES",
        "COCCINELLE EXPRESS", "VIVAL", "CORA", "AUCHAN DRIVE", "SIMPLY MARKET", "MONOPRIX GOURMET", "DIA",
        "LE FRANPRIX", "PROXI SUPER", "INTERMARCHE EXPRESS", "CARREFOUR HYPER"],
    "Alimentation:Commerces de bouche": ["BOULANGERIE DUPONT", "BOUCHERIE DU MARCHE", "FROMAGERIE QUATREHOMME",
        "MAISON KAYSER", "MARIE BLACHERE", "PAUL", "ANGE BOULANGERIE", "LE FOURNIL DE PIERRE", "NICOLAS",
        "V AND B", "PRIMEUR DES LILAS", "BOULANGERIE PATISSERIE", "AUX DELICES DU PALAIS", "BOUCHERIE MOREAU",
        "POISSONNERIE DU PORT", "LA MIE CALINE", "CAVE DES PAPILLES", "CHOCOLATERIE JEFF DE BRUGES",
        "BOULANGERIE LEGAY", "LE PETRIN GOURMAND"],
    "Alimentation:Restaurants et cafés": ["MCDONALDS", "MC DONALD'S", "BURGER KING", "KFC", "STARBUCKS", "QUICK",
        "SUBWAY", "DOMINOS PIZZA", "PIZZA HUT", "FIVE GUYS", "BIG MAMMA", "LE PETIT ZINC", "BRASSERIE LIPP",
        "CAFE DE LA GARE", "SUSHI SHOP", "PLANET SUSHI", "DELIVEROO", "UBER EATS", "JUST EAT", "BUFFALO GRILL",
        "HIPPOPOTAMUS", "COURTEPAILLE", "LE BISTROT DU MARCHE", "CHEZ GEORGES", "O TACOS", "COLUMBUS CAFE",
        "PRET A MANGER", "EXKI", "SUMUP *LE COMPTOIR", "SQ *CAFE BLEU", "ZTL*BAR LE SAINT", "CREPERIE DE JOSSELIN",
        "LE PTIT BOUCHON", "RESTAURANT LE SEVERO", "BRASSERIE FLO", "TRATTORIA DA MARIO", "LA PATATERIE",
        "CROUS RESTAURATION", "BAR LE CHAMBORD", "PAUL GARE DE LYON", "CAFE DE FLORE", "LE RELAIS DE VENISE"],
    "Transport:Carburant": ["TOTAL ENERGIES", "TOTALENERGIES", "STATION TOTAL ACCESS", "ESSO EXPRESS", "ESSO",
        "SHELL", "BP", "AVIA", "LECLERC STATION", "STATION U", "AGIP", "DYNEFF", "CARREFOUR STATION",
        "INTERMARCHE CARBURANT", "AUCHAN CARBURANT"],
    "Transport:Transports du quotidien": ["RATP", "RATP VAL DE FONTENAY", "VELIB METROPOLE", "LIME RIDE",
        "TCL SYTRAL", "RTM", "TISSEO", "STAR RENNES", "TAG GRENOBLE", "SNCF TRANSILIEN", "NAVIGO ANNUEL",
        "DOTT SCOOTER", "CITIZ"],
    "Transport:Train, car et avion": ["SNCF INTERNET", "SNCF VOYAGEURS", "SNCF CONNECT", "OUIGO", "TRAINLINE",
        "AIR FRANCE", "EASYJET", "RYANAIR", "TRANSAVIA", "VUELING", "EUROSTAR", "FLIXBUS", "BLABLACAR",
        "BLABLACAR BUS", "SNCF GARE DE LYON"],
    "Transport:Taxi et VTC": ["UBER TRIP", "UBER *TRIP", "BOLT.EU", "G7 TAXI", "HEETCH", "FREENOW",
        "TAXI PARISIEN", "TAXI G7 GCP", "LECAB"],
    "Transport:Péage et parking": ["APRR", "SANEF", "VINCI AUTOROUTES", "ASF", "AREA AUTOROUTE", "COFIROUTE",
        "INDIGO PARKING", "SAEMES", "EFFIA STATIONNEMENT", "ONEPARK", "PAYBYPHONE", "PARKING GARE",
        "PARKING Q-PARK", "ESCOTA"],
    "Transport:Entretien véhicule": ["NORAUTO", "FEU VERT", "SPEEDY", "MIDAS", "POINT S", "EUROMASTER",
        "CONTROLE TECHNIQUE AUTO", "DEKRA", "AUTOSUR", "GARAGE DU CENTRE", "ROADY", "ELEPHANT BLEU LAVAGE"],
    "Logement:Maison et bricolage": ["LEROY MERLIN", "CASTORAMA", "BRICO DEPOT", "IKEA", "MR BRICOLAGE",
        "BRICORAMA", "MAISONS DU MONDE", "CONFORAMA", "BUT", "ACTION", "LA FOIR FOUILLE", "GIFI", "ALINEA",
        "JARDILAND", "TRUFFAUT", "WELDOM", "BRICOMARCHE", "HEMA", "ZODIO", "IKEA ST PRIEST"],
    "Achats:High-tech et électroménager": ["DARTY", "BOULANGER", "APPLE STORE", "LDLC", "MATERIEL.NET",
        "ELECTRO DEPOT", "BACK MARKET", "SAMSUNG SHOP", "CDISCOUNT PRO", "GROSBILL", "PHOTO STATION"],
    "Achats:En ligne": ["AMAZON PAYMENTS", "AMAZON EU SARL", "AMZN MKTP FR", "AMAZON.FR", "CDISCOUNT", "VINTED",
        "LEBONCOIN", "ALIEXPRESS", "SHEIN", "TEMU.COM", "EBAY", "RAKUTEN", "VEEPEE", "SHOWROOMPRIVE", "ETSY",
        "PAYPAL *EBAY", "WISH.COM", "MANOMANO"],
    "Achats:Habillement et beauté": ["ZARA", "H&M", "H ET M", "KIABI", "UNIQLO", "PRIMARK", "CELIO", "JULES",
        "SEPHORA", "NOCIBE", "YVES ROCHER", "MARIONNAUD", "SALON DE COIFFURE", "JACQUES DESSANGE",
        "GALERIES LAFAYETTE", "PRINTEMPS", "LA HALLE", "BERSHKA", "MANGO", "ZALANDO", "FOOT LOCKER",
        "SAN MARINA", "PROVALLIANCE COIFFURE", "L OCCITANE", "LUSH", "CAMAIEU", "PIMKIE", "PETIT BATEAU"],
    "Santé": ["PHARMACIE DU MARCHE", "PHARMACIE CENTRALE", "PHIE DES HALLES", "GRANDE PHARMACIE", "DOCTOLIB",
        "DR MARTIN CLAIRE", "CABINET MEDICAL", "LABORATOIRE CERBALLIANCE", "BIOGROUP", "CENTRE DENTAIRE",
        "OPTIC 2000", "KRYS", "ATOL", "ALAIN AFFLELOU", "GRANDOPTICAL", "CABINET KINE", "OSTEOPATHE DURAND",
        "HOPITAL NECKER", "CLINIQUE DU PARC", "PHARMA LAFAYETTE", "SYNLAB", "CHU DE NANTES"],
    "Loisirs:Abonnements numériques": ["NETFLIX.COM", "SPOTIFY", "SPOTIFY P1A2B3C4", "DEEZER", "CANAL+",
        "DISNEY PLUS", "AMAZON PRIME", "APPLE.COM/BILL", "GOOGLE *YOUTUBE PREMIUM", "GOOGLE STORAGE",
        "MICROSOFT*XBOX", "PLAYSTATION NETWORK", "ADOBE", "DROPBOX", "OPENAI *CHATGPT SUBSCR", "MOLOTOV TV",
        "DAZN", "BEIN SPORTS", "AUDIBLE", "PARAMOUNT+", "CRUNCHYROLL", "LE MONDE ABONNEMENT", "MEDIAPART",
        "NINTENDO ESHOP", "PRIME VIDEO", "STEAMGAMES.COM"],
    "Loisirs:Sorties et culture": ["UGC", "PATHE", "GAUMONT", "MK2", "CGR CINEMAS", "FNAC", "CULTURA",
        "GIBERT JOSEPH", "TICKETMASTER", "FNAC SPECTACLES", "DECITRE", "MUSEE DU LOUVRE", "CENTRE POMPIDOU",
        "BOWLING STAR", "LASER GAME EVOLUTION", "ESCAPE HUNT", "PARC ASTERIX", "LIBRAIRIE MOLLAT",
        "THEATRE DE LA VILLE", "CINEMA LE BALZAC", "PHILHARMONIE", "SEETICKETS"],
    "Loisirs:Sport": ["DECATHLON", "GO SPORT", "INTERSPORT", "BASIC FIT", "FITNESS PARK", "KEEP COOL",
        "L ORANGE BLEUE", "NEONESS", "PISCINE MUNICIPALE", "UCPA", "TENNIS CLUB", "SPORT 2000",
        "CLUB MED GYM", "CLIMBING DISTRICT", "ARKOSE ESCALADE"],
    "Loisirs:Voyages et hébergement": ["AIRBNB", "BOOKING.COM", "HOTEL IBIS", "NOVOTEL", "CAMPANILE",
        "HOTELS.COM", "EXPEDIA", "ABRITEL", "PIERRE ET VACANCES", "CENTER PARCS", "CLUB MED", "B&B HOTEL",
        "HERTZ", "EUROPCAR", "SIXT", "HOTEL DU COMMERCE", "MERCURE", "GITES DE FRANCE", "DISNEYLAND PARIS"],
    "Enfants et éducation": ["OKAIDI", "VERTBAUDET", "JOUE CLUB", "KING JOUET", "LA GRANDE RECRE", "CYRILLUS",
        "JACADI", "DU PAREIL AU MEME", "AUBERT", "TOYS R US", "CNED", "ACADOMIA"],
    "Impôts et taxes": ["AMENDE.GOUV", "ANTS TIMBRE FISCAL", "TIMBRES.IMPOTS.GOUV", "PAYFIP.GOUV.FR"],
}

# card label formats, one per bank family
def f_bourso(m, c, d): return f"CARTE {d:%d/%m/%y} {m} {c}".strip() + R.choice(["", f" CB*{R.randint(1000, 9999)}"])
def f_lcl(m, c, d): return f"CB {m} {c} LE {d:%d/%m}".replace("  ", " ")
def f_sg(m, c, d): return f"CARTE X{R.randint(1000, 9999)} {d:%d/%m} {m} {c}".strip()
def f_bnp(m, c, d): return f"FACTURE CARTE DU {d:%d%m%y} {m} {c} CARTE 4974XXXXXXXX{R.randint(1000, 9999)}".replace("  ", " ")
def f_ca(m, c, d): return f"PAIEMENT PAR CARTE X{R.randint(1000, 9999)} {m} {c} {d:%d/%m}".replace("  ", " ")
def f_cic(m, c, d): return f"PAIEMENT CB {d:%d%m} {c} {m} CARTE {R.randint(10**7, 10**8 - 1)}".replace("  ", " ")
def f_bpce(m, c, d): return R.choice([f"CB {m} FACT {d:%d%m%y}", f"FACT {d:%d%m%y} CB*{R.randint(1000, 9999)} {m}"])
def f_lbp(m, c, d): return f"ACHAT CB {m} {d:%d.%m.%y} CARTE NUMERO {R.randint(100, 999)}"
def f_online(m, c, d): return f"CARTE {d:%d/%m} {m} {c}".strip()
CARD_FORMATS = [f_bourso, f_lcl, f_sg, f_bnp, f_ca, f_cic, f_bpce, f_lbp, f_online]

AMOUNTS = {"Alimentation:Supermarché": (3, 140), "Transport:Carburant": (25, 95), "Logement:Maison et bricolage": (8, 400),
           "Achats:High-tech et électroménager": (20, 900), "Loisirs:Voyages et hébergement": (60, 700)}


def day() -> dt.date:
    return dt.date(2022, 1, 1) + dt.timedelta(days=R.randint(0, 1000))


def money(lo: float, hi: float) -> str:
    return f"{R.uniform(lo, hi):.2f}"


def card_rows():
    for cat, merchants in CARD.items():
        for m in merchants:
            for _ in range(1 if len(merchants) > 18 else 2):
                fmt = R.choice(CARD_FORMATS)
                lo, hi = AMOUNTS.get(cat, (2, 80))
                yield fmt(m, R.choice(CITIES), day()), "-" + money(lo, hi), cat


# hand-written labels of other kinds: (label, amount sign/range, category)
OTHER = [
    # direct debits
    ("PRLV SEPA EDF CLIENTS PARTICULIERS", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA EDF CLIENTS PARTICULIERS ECH/150324 ID EMETTEUR/FR12ZZZ123456 MDT/00123456789 REF/EDF2403", -1, "Logement:Énergie et eau"),
    ("PRELEVEMENT EDF", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA ENGIE", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA ENGIE REF.MANDAT 1-ABC123", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA TOTALENERGIES ELECTRICITE ET GAZ FRANCE", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA EAU DE PARIS", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA VEOLIA EAU", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA SUEZ EAU FRANCE SAS", -1, "Logement:Énergie et eau"),
    ("PRELEVEMENT DE SAUR", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA ENERCOOP", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA EKWATEUR", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA MINT ENERGIE", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA OHM ENERGIE", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA GRDF", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA VATTENFALL ELECTRICITE", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA ENI GAZ ET POWER FRANCE", -1, "Logement:Énergie et eau"),
    ("PRLV SEPA FONCIA GESTION LOYER", -1, "Logement:Loyer"),
    ("PRLV SEPA FONCIA LOYER", -1, "Logement:Loyer"),
    ("PRLV SEPA NEXITY LAMY", -1, "Logement:Loyer"),
    ("PRLV SEPA CITYA IMMOBILIER", -1, "Logement:Loyer"),
    ("PRLV SEPA PARIS HABITAT OPH", -1, "Logement:Loyer"),
    ("PRLV SEPA ICF HABITAT LA SABLIERE", -1, "Logement:Loyer"),
    ("PRLV SEPA IMMOBILIERE 3F", -1, "Logement:Loyer"),
    ("VIR SEPA LOYER APPARTEMENT RUE DES LILAS REF 2023-LOY", -1, "Logement:Loyer"),
    ("VIR PERMANENT LOYER SCI DES LILAS", -1, "Logement:Loyer"),
    ("VIREMENT POUR SCI LES TILLEULS LOYER MARS", -1, "Logement:Loyer"),
    ("VIR SEPA EMIS /A ORPI GESTION /MOTIF LOYER AVRIL", -1, "Logement:Loyer"),
    ("PRLV SEPA ORANGE SA FACTURE INTERNET DONT TVA 8,70EUR", -1, "Télécom et internet"),
    ("PRLV SEPA ORANGE SA", -1, "Télécom et internet"),
    ("PRLV SEPA FREE MOBILE", -1, "Télécom et internet"),
    ("PRLV SEPA FREE TELECOM", -1, "Télécom et internet"),
    ("PRLV SEPA SFR", -1, "Télécom et internet"),
    ("PRLV SEPA SFR FIXE ADSL", -1, "Télécom et internet"),
    ("PRLV SEPA BOUYGUES TELECOM", -1, "Télécom et internet"),
    ("PRLV SEPA SOSH", -1, "Télécom et internet"),
    ("PRLV SEPA RED BY SFR", -1, "Télécom et internet"),
    ("PRLV SEPA B AND YOU", -1, "Télécom et internet"),
    ("PRLV SEPA LA POSTE TELECOM", -1, "Télécom et internet"),
    ("PRLV SEPA NRJ MOBILE", -1, "Télécom et internet"),
    ("PRLV SEPA PRIXTEL", -1, "Télécom et internet"),
    ("PRELEVEMENT DE FREE MOBILE", -1, "Télécom et internet"),
    ("PRLV SEPA MAIF", -1, "Assurances"),
    ("PRLV SEPA MACIF", -1, "Assurances"),
    ("PRLV SEPA MATMUT", -1, "Assurances"),
    ("PRLV SEPA AXA FRANCE IARD", -1, "Assurances"),
    ("PRLV SEPA ALLIANZ IARD", -1, "Assurances"),
    ("PRLV SEPA GMF ASSURANCES", -1, "Assurances"),
    ("PRLV SEPA MMA IARD", -1, "Assurances"),
    ("PRLV SEPA GROUPAMA PARIS VAL DE LOIRE", -1, "Assurances"),
    ("PRLV SEPA PACIFICA", -1, "Assurances"),
    ("PRLV SEPA DIRECT ASSURANCE", -1, "Assurances"),
    ("PRLV SEPA LUKO", -1, "Assurances"),
    ("PRLV SEPA ALAN SA", -1, "Assurances"),
    ("PRLV SEPA HARMONIE MUTUELLE", -1, "Assurances"),
    ("PRLV SEPA MGEN", -1, "Assurances"),
    ("PRLV SEPA APRIL SANTE PREVOYANCE", -1, "Assurances"),
    ("PRLV SEPA SWISSLIFE PREVOYANCE ET SANTE", -1, "Assurances"),
    ("PRLV SEPA GENERALI VIE", -1, "Assurances"),
    ("PRLV SEPA MALAKOFF HUMANIS", -1, "Assurances"),
    ("PRLV SEPA LEOCARE", -1, "Assurances"),
    ("PRLV SEPA COMUTITRES NAVIGO", -1, "Transport:Transports du quotidien"),
    ("PRLV SEPA COMUTITRES S.A.", -1, "Transport:Transports du quotidien"),
    ("PRLV SEPA TCL ABONNEMENT", -1, "Transport:Transports du quotidien"),
    ("PRLV SEPA ULYS VINCI AUTOROUTES", -1, "Transport:Péage et parking"),
    ("PRLV SEPA BIP AND GO", -1, "Transport:Péage et parking"),
    ("PRLV SEPA NETFLIX INTERNATIONAL", -1, "Loisirs:Abonnements numériques"),
    ("PRLV SEPA CANAL+ FRANCE", -1, "Loisirs:Abonnements numériques"),
    ("PRLV SEPA GROUPE CANAL +", -1, "Loisirs:Abonnements numériques"),
    ("PRLV SEPA BASIC FIT FRANCE", -1, "Loisirs:Sport"),
    ("PRLV SEPA FITNESS PARK", -1, "Loisirs:Sport"),
    ("PRLV SEPA NEONESS", -1, "Loisirs:Sport"),
    ("PRLV SEPA L ORANGE BLEUE MOUVEMENT", -1, "Loisirs:Sport"),
    ("PRLV SEPA DGFIP IMPOT 2023 NUMFISCAL 1234567890123", -1, "Impôts et taxes"),
    ("PRLV SEPA DIRECTION GENERALE DES FINANCES PUBLIQUES", -1, "Impôts et taxes"),
    ("PRLV SEPA DGFIP TAXE FONCIERE", -1, "Impôts et taxes"),
    ("PRLV SEPA TRESOR PUBLIC TAXE HABITATION", -1, "Impôts et taxes"),
    ("PRELEVEMENT IMPOT REVENU PRELEVEMENT A LA SOURCE", -1, "Impôts et taxes"),
    ("PRLV SEPA DGFIP PAS REVENUS", -1, "Impôts et taxes"),
    ("PRLV SEPA URSSAF ILE DE FRANCE", -1, "Impôts et taxes"),
    ("PRLV SEPA DDFIP DU RHONE", -1, "Impôts et taxes"),
    ("PRLV SEPA CETELEM", -1, "Prêts et crédits"),
    ("PRLV SEPA COFIDIS", -1, "Prêts et crédits"),
    ("PRLV SEPA FRANFINANCE", -1, "Prêts et crédits"),
    ("PRLV SEPA CA CONSUMER FINANCE", -1, "Prêts et crédits"),
    ("PRLV SEPA SOFINCO", -1, "Prêts et crédits"),
    ("PRLV SEPA ONEY BANK", -1, "Prêts et crédits"),
    ("PRLV SEPA YOUNITED", -1, "Prêts et crédits"),
    ("PRLV SEPA FLOA BANK", -1, "Prêts et crédits"),
    ("ECHEANCE PRET 10278000123456", -1, "Prêts et crédits"),
    ("ECH PRET IMMO 000123", -1, "Prêts et crédits"),
    ("ECHEANCE CREDIT IMMOBILIER N 12345", -1, "Prêts et crédits"),
    ("Ech pret 0001234567 du 05/03/24", -1, "Prêts et crédits"),
    ("REMBOURSEMENT PRET 00458721", -1, "Prêts et crédits"),
    ("PRLV SEPA CRECHE LES PETITS LOUPS", -1, "Enfants et éducation"),
    ("PRLV SEPA MAIRIE DE PARIS RESTAURATION SCOLAIRE", -1, "Enfants et éducation"),
    ("PRLV SEPA CAISSE DES ECOLES", -1, "Enfants et éducation"),
    ("PRLV SEPA ECOLE SAINTE MARIE", -1, "Enfants et éducation"),
    ("PRLV SEPA PERISCOLAIRE VILLE DE LYON", -1, "Enfants et éducation"),
    ("PRLV SEPA COMPLETUDE", -1, "Enfants et éducation"),
    ("PRLV SEPA SPOTIFY", -1, "Loisirs:Abonnements numériques"),
    ("PRLV SEPA DEEZER SA", -1, "Loisirs:Abonnements numériques"),
    ("PRLV SEPA PAYPAL EUROPE S.A.R.L. ET CIE S.C.A", -1, "Achats:En ligne"),
    ("PRLV SEPA AMAZON PAYMENTS EUROPE", -1, "Achats:En ligne"),
    # fees
    ("COTISATION CARTE VISA PREMIER", -1, "Frais bancaires"),
    ("COTISATION OFFRE ESSENTIEL TVA 20,00 %", -1, "Frais bancaires"),
    ("COTISATION OFFRE LCL ESSENTIEL", -1, "Frais bancaires"),
    ("FRAIS TENUE DE COMPTE", -1, "Frais bancaires"),
    ("FRAIS DE TENUE DE COMPTE", -1, "Frais bancaires"),
    ("COMMISSION D'INTERVENTION", -1, "Frais bancaires"),
    ("COMMISSION INTERVENTION 12/03", -1, "Frais bancaires"),
    ("FRAIS PAIEMENT HORS ZONE EURO", -1, "Frais bancaires"),
    ("FRAIS RETRAIT DAB HORS ZONE EURO", -1, "Frais bancaires"),
    ("AGIOS TRIMESTRIELS", -1, "Frais bancaires"),
    ("INTERETS DEBITEURS", -1, "Frais bancaires"),
    ("COTIS ESPRIT LIBRE REFERENCE", -1, "Frais bancaires"),
    ("FRAIS REJET PRLV", -1, "Frais bancaires"),
    ("ABONNEMENT SERVICES BANCAIRES", -1, "Frais bancaires"),
    ("COTIS.CARTE GOLD MASTERCARD", -1, "Frais bancaires"),
    ("*COMMISSION INTERVENTION", -1, "Frais bancaires"),
    ("COTISATION JAZZ", -1, "Frais bancaires"),
    ("FRAIS LETTRE INFORMATION PREALABLE", -1, "Frais bancaires"),
    # withdrawals
    ("RETRAIT DAB 12/03/24 PARIS 11 BASTILLE", -1, "Retraits"),
    ("RETRAIT DAB PARIS 11 BASTILLE", -1, "Retraits"),
    ("CB RETRAIT DU 24/08 LYON", -1, "Retraits"),
    ("CB RETRAIT DU 03/11 PARIS REPUBLIQUE", -1, "Retraits"),
    ("CARTE X4521 RETRAIT DAB SG 12/03 12H34 PARIS", -1, "Retraits"),
    ("RETRAIT DAB 120324 CARTE 4974XXXXXXXX1234", -1, "Retraits"),
    ("RETRAIT AU DISTRIBUTEUR X1234 NANTES 05/02", -1, "Retraits"),
    ("RETRAIT DAB 0503 TOULOUSE CARTE 12345678", -1, "Retraits"),
    ("RETRAIT DAB 14/06 BORDEAUX", -1, "Retraits"),
    ("RET DAB 22/09 LILLE", -1, "Retraits"),
    ("RETRAIT GAB LA BANQUE POSTALE 12.04.24", -1, "Retraits"),
    ("RETRAIT DAB 2906 MARSEILLE 13", -1, "Retraits"),
    ("RETRAIT ESPECES AGENCE", -1, "Retraits"),
    ("RETRAIT DAB ETRANGER 03/07/23 BARCELONA", -1, "Retraits"),
    # savings and own transfers
    ("VIR SEPA VERS LIVRET A", -1, "Épargne et virements internes"),
    ("VIR SEPA LIVRET A", -1, "Épargne et virements internes"),
    ("VIR SEPA EPARGNE", -1, "Épargne et virements internes"),
    ("VIREMENT VERS COMPTE EPARGNE", -1, "Épargne et virements internes"),
    ("VIR INTERNE", -1, "Épargne et virements internes"),
    ("VIREMENT INTERNE DEPUIS COMPTE CHEQUES", 1, "Épargne et virements internes"),
    ("VIR SEPA DEPUIS COMPTE DE DEPOTS", 1, "Épargne et virements internes"),
    ("VIR SEPA DE COMPTE COURANT", 1, "Épargne et virements internes"),
    ("VERSEMENT PEL", -1, "Épargne et virements internes"),
    ("VIR LDDS", -1, "Épargne et virements internes"),
    ("VIR PERMANENT EPARGNE MENSUELLE", -1, "Épargne et virements internes"),
    ("VIR SEPA Virement vers COMPTE SUR LIVRET", -1, "Épargne et virements internes"),
    ("VIR SEPA Virement depuis BOURSOBANK", 1, "Épargne et virements internes"),
    ("VIR INST VERS MON COMPTE N26", -1, "Épargne et virements internes"),
    ("VIR SEPA M DUPONT JEAN EPARGNE", -1, "Épargne et virements internes"),
    ("VIR VIREMENT CREATION COMPTE", 1, "Épargne et virements internes"),
    ("VIR SEPA EMIS /A MOI-MEME /MOTIF ALIMENTATION LIVRET", -1, "Épargne et virements internes"),
    ("VERSEMENT ASSURANCE VIE LINXEA", -1, "Épargne et virements internes"),
    # people
    ("VIR SEPA DUPONT JEAN", -1, "Virements:Particuliers"),
    ("VIR SEPA DUPONT MARIE", 1, "Virements:Particuliers"),
    ("VIR INST M. MARTIN REMBOURSEMENT", 1, "Virements:Particuliers"),
    ("VIR SEPA RECU /DE M MARTIN CAMILLE", 1, "Virements:Particuliers"),
    ("VIREMENT POUR MME LEROY SOPHIE", -1, "Virements:Particuliers"),
    ("VIR SEPA EMIS /A MR BERNARD PAUL /MOTIF ANNIV", -1, "Virements:Particuliers"),
    ("VIR LYDIA SOLUTIONS", 1, "Virements:Particuliers"),
    ("PRLV SEPA LYDIA SOLUTIONS", -1, "Virements:Particuliers"),
    ("VIR INST MME PETIT ANNE", 1, "Virements:Particuliers"),
    ("VIREMENT DE M OU MME GARCIA", 1, "Virements:Particuliers"),
    ("VIR SEPA RECU /DE MLLE ROUX EMMA /MOTIF RESTO", 1, "Virements:Particuliers"),
    ("VIR M THOMAS LUCAS", -1, "Virements:Particuliers"),
    ("VIR SEPA MME MOREAU CHLOE CADEAU", -1, "Virements:Particuliers"),
    ("VIR INST A M. FOURNIER HUGO", -1, "Virements:Particuliers"),
    # income
    ("VIR SEPA ACME SAS SALAIRE 2024-03", 1, "Revenus:Salaire"),
    ("VIR SEPA ACME SAS SALAIRE", 1, "Revenus:Salaire"),
    ("VIR SEPA RECU /DE ACME SAS /MOTIF SALAIRE", 1, "Revenus:Salaire"),
    ("VIR SEPA RECU /DE CAPGEMINI TECHNOLOGY SERVICES /MOTIF SALAIRE MARS 2024", 1, "Revenus:Salaire"),
    ("VIREMENT DE SOCIETE GENERALE PAIE MARS", 1, "Revenus:Salaire"),
    ("VIR SALAIRE MARS 2024", 1, "Revenus:Salaire"),
    ("VIR SEPA EMPLOYEUR SA SALAIRE", 1, "Revenus:Salaire"),
    ("VIR SEPA RECU /DE DRFIP ILE DE FRANCE /MOTIF TRAITEMENT 03/2024", 1, "Revenus:Salaire"),
    ("VIR SEPA RECU /DE CHU DE LYON /MOTIF PAIE 03 2024", 1, "Revenus:Salaire"),
    ("VIR SEPA RECU /DE ASSISTANCE PUBLIQUE HOPITAUX DE PARIS /MOTIF SALAIRE", 1, "Revenus:Salaire"),
    ("VIREMENT EN VOTRE FAVEUR SNCF VOYAGEURS SALAIRE", 1, "Revenus:Salaire"),
    ("VIR SEPA RECU /DE DECATHLON FRANCE /MOTIF PAYE FEVRIER", 1, "Revenus:Salaire"),
    ("VIR SEPA ORANGE SA REMUNERATION MENSUELLE", 1, "Revenus:Salaire"),
    ("VIR SEPA CAF ALLOCATIONS FAMILIALES", 1, "Revenus:Allocations et pensions"),
    ("VIR SEPA RECU /DE CAF DE PARIS /MOTIF PRESTATIONS", 1, "Revenus:Allocations et pensions"),
    ("VIR SEPA CAF DU RHONE", 1, "Revenus:Allocations et pensions"),
    ("VIR FRANCE TRAVAIL ARE", 1, "Revenus:Allocations et pensions"),
    ("VIR SEPA POLE EMPLOI", 1, "Revenus:Allocations et pensions"),
    ("VIR SEPA CNAV RETRAITE", 1, "Revenus:Allocations et pensions"),
    ("VIR SEPA CARSAT RHONE ALPES PENSION", 1, "Revenus:Allocations et pensions"),
    ("VIR SEPA AGIRC ARRCO RETRAITE COMPLEMENTAIRE", 1, "Revenus:Allocations et pensions"),
    ("VIR SEPA MSA PRESTATIONS", 1, "Revenus:Allocations et pensions"),
    ("VIR SEPA CAF PRIME D ACTIVITE", 1, "Revenus:Allocations et pensions"),
    ("VIR SEPA CPAM PARIS", 1, "Revenus:Remboursements"),
    ("VIR SEPA RECU /DE CPAM DU RHONE /MOTIF REMBT SOINS", 1, "Revenus:Remboursements"),
    ("VIR SEPA HARMONIE MUTUELLE REMBOURSEMENT", 1, "Revenus:Remboursements"),
    ("VIR SEPA RECU /DE ALAN SAS /MOTIF REMBOURSEMENT SOINS", 1, "Revenus:Remboursements"),
    ("AVOIR 12/03/24 AMAZON PAYMENTS", 1, "Revenus:Remboursements"),
    ("AVOIR 02/05/23 DECATHLON PARIS", 1, "Revenus:Remboursements"),
    ("VIR SEPA DGFIP REMBOURSEMENT IMPOT", 1, "Revenus:Remboursements"),
    ("VIR SEPA MGEN PRESTATIONS SANTE", 1, "Revenus:Remboursements"),
    ("VIR SEPA CPAM DE LA GIRONDE", 1, "Revenus:Remboursements"),
    ("INTERETS 2023", 1, "Revenus:Intérêts"),
    ("INTERETS CREDITEURS", 1, "Revenus:Intérêts"),
    ("REMUNERATION LIVRET A", 1, "Revenus:Intérêts"),
    ("INT. CREDITEURS AU 31/12/23", 1, "Revenus:Intérêts"),
    ("INTERETS ANNUELS LDDS", 1, "Revenus:Intérêts"),
    ("REMISE CHEQUE N 1234567", 1, "Revenus:Chèques et espèces"),
    ("REM CHQ 0012345", 1, "Revenus:Chèques et espèces"),
    ("REMISE DE CHEQUES 3 CHQ", 1, "Revenus:Chèques et espèces"),
    ("VERSEMENT ESPECES", 1, "Revenus:Chèques et espèces"),
    ("VERSEMENT ESPECES AGENCE PARIS OPERA", 1, "Revenus:Chèques et espèces"),
    ("DEPOT ESPECES GAB", 1, "Revenus:Chèques et espèces"),
]


def other_rows():
    for label, sign, cat in OTHER:
        hi = 2500 if cat.startswith("Revenus:Salaire") else 900 if cat == "Logement:Loyer" else 150
        yield label, ("-" if sign < 0 else "") + money(2, hi), cat


def main() -> None:
    rows = list(card_rows()) + list(other_rows())
    R.shuffle(rows)
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["label_raw", "amount", "category"])
    w.writerows(rows)


if __name__ == "__main__":
    main()
