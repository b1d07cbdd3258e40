"""Synthetic French bank ledgers for the rebuild / incremental benchmarks (issue 5).

The ledger is built column-wise (numpy + pyarrow) and only turned into ``ParsedBatch`` payloads, one per
account and month (as a bank gives a month's listing), when a benchmark feeds the real pipeline. The
benchmarks start from these canonical records: no raw bank bytes are parsed.

What the ledger has (shares are of all rows, roughly): card payments 60 % in five bank label formats
(``CARTE 12/03/24 MONOP PARIS 11``, ``CB MONOP PARIS LE 12/03``, ``FACTURE CARTE DU 120324 ...``,
``CARTE X1234 12/03 ...``, ``ACHAT CB ... 12.03.24 CARTE NUMERO 123``), direct debits 10 %
(``PRLV SEPA EDF ... REF 2403...``), transfers 13 % (``VIR SEPA M ...``, salaries ``VIR SEPA RECU /DE
... /MOTIF SALAIRE 03/2024``, ``VIR INTERNE``), cash withdrawals 6 %, cheques, fees, loans, interest;
~1 % identical same-day rows (two coffees), and pending card rows near month end whose booked twin
(with the full label, booked 1-3 days later) arrives in the next month's payload. Rows of the last
month stay pending. Account attributes (bank, label style, card number, home city) depend only on the
account index, so a later month generated for the same accounts continues the same ledger.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

from connectors.artifact import ArtifactMeta, make_artifact
from connectors.records import ParsedBatch, Transaction

BANKS = ("boursorama", "lcl")
CITIES = ("PARIS", "PARIS 11", "PARIS 15", "LYON", "MARSEILLE", "TOULOUSE", "NANTES", "LILLE", "BORDEAUX",
          "RENNES", "MONTREUIL", "BOULOGNE BILL", "NICE", "GRENOBLE", "DIJON", "BREST", "REIMS", "ANGERS",
          "CLERMONT FD", "ST DENIS", "VINCENNES", "LEVALLOIS", "ISSY LES MX", "VERSAILLES")
CHAINS = ("MONOP", "MONOPRIX", "FRANPRIX", "CARREFOUR CITY", "CARREFOUR MARKET", "LIDL", "AUCHAN",
          "E.LECLERC", "INTERMARCHE", "SUPER U", "PICARD", "NATURALIA", "BIOCOOP", "G20", "ALDI",
          "GRAND FRAIS", "STARBUCKS", "MCDONALDS", "BURGER KING", "KFC", "PAUL", "BRIOCHE DOREE",
          "FNAC", "DARTY", "DECATHLON", "IKEA", "LEROY MERLIN", "CASTORAMA", "ZARA", "H&M", "UNIQLO",
          "SEPHORA", "KIABI", "ACTION", "GIFI", "RELAY", "SNCF", "RATP", "UBER", "BOLT", "TOTAL ENERGIES",
          "ESSO", "SHELL", "AMAZON PAYMENTS", "CDISCOUNT", "VINTED", "NETFLIX.COM", "SPOTIFY",
          "APPLE.COM/BILL", "UGC", "PATHE", "PHARMACIE CENTRALE", "DOCTOLIB", "NORAUTO", "INDIGO",
          "SANEF", "APRR", "AIRBNB", "BOOKING.COM", "LA POSTE", "TABAC DE LA MAIRIE", "DELIVEROO",
          "UBER EATS", "LYDIA", "SUMUP *LE PETIT ZINC", "SQ *CHEZ MARCEL", "ZTL*FROMAGERIE DUPONT")
_LOCAL_KINDS = ("BOULANGERIE", "RESTAURANT", "BRASSERIE", "PHARMACIE", "BOUCHERIE", "CAVE", "SARL",
                "CAFE", "EPICERIE", "PRESSING", "GARAGE", "LIBRAIRIE", "FLEURISTE", "COIFFURE")
_LOCAL_NAMES = ("DU MARCHE", "LEGAY", "DES AMIS", "SAINT MICHEL", "MARTIN", "LE BON COIN", "DE LA GARE",
                "BERNARD", "LES HALLES", "DU CENTRE", "MOREAU", "PETIT", "LA FONTAINE", "DES ARTS")
MERCHANTS = CHAINS + tuple(f"{k} {n}" for k in _LOCAL_KINDS for n in _LOCAL_NAMES)
CREDITORS = ("EDF CLIENTS PARTICULIERS", "ENGIE", "FREE MOBILE", "ORANGE SA", "SFR", "BOUYGUES TELECOM",
             "MACIF", "MAIF", "AXA FRANCE IARD", "ALAN SA", "DGFIP IMPOT", "NAVIGO COMUTITRES",
             "BASIC FIT", "CANAL+", "VEOLIA EAU", "FONCIA LOCATION", "COFIDIS", "GENERALI VIE")
PEOPLE = ("M JEAN DUPONT", "MME SOPHIE LEROY", "M OU MME MARTIN", "MLLE CLAIRE DUBOIS", "M PAUL GIRARD")
EMPLOYERS = ("EMPLOYEUR SA", "DRFIP ILE DE FRANCE", "ACME CONSEIL SAS", "CAF DE PARIS", "FRANCE TRAVAIL")

# kind codes and their shares
CARD, DD, VIR_OUT, VIR_IN, VIR_INT, DAB, CHQ, FEE, LOAN, INTEREST = range(10)
_KIND_P = np.array([0.60, 0.10, 0.06, 0.04, 0.03, 0.06, 0.02, 0.04, 0.03, 0.02])
_CENTS = {  # (median cents, sigma) of lognormal amounts, sign by kind
    CARD: (2500, 0.9), DD: (6000, 0.8), VIR_OUT: (15000, 1.0), VIR_IN: (180000, 0.4), VIR_INT: (30000, 0.8),
    DAB: (6000, 0.5), CHQ: (8000, 0.9), FEE: (800, 0.6), LOAN: (45000, 0.3), INTEREST: (1500, 0.8)}
_CREDIT = {VIR_IN, INTEREST}


def _zipf_p(n: int) -> np.ndarray:
    p = 1.0 / (np.arange(n) + 4.0)
    return p / p.sum()


def account_ref(i: int) -> str:
    return f"{40000000000 + i * 7919:011d}"


def month_start(start: dt.date, k: int) -> dt.date:
    m = start.month - 1 + k
    return dt.date(start.year + m // 12, m % 12 + 1, 1)


def payload_sha(bank: str, acc: str, month: dt.date, seed: int) -> str:
    return hashlib.sha256(f"synth|{bank}|{acc}|{month}|{seed}".encode()).hexdigest()


def generate(rows: int, *, months: int = 36, start: dt.date = dt.date(2023, 1, 1), seed: int = 0,
             accounts: int | None = None, per_month: int = 85) -> pa.Table:
    """About ``rows`` canonical rows (plus ~0.3 % booked twins of pending rows), sorted by account,
    month (= payload) and day. ``accounts`` defaults to rows / (months * per_month)."""
    rng = np.random.default_rng(seed)
    n_acc = accounts or max(1, round(rows / (months * per_month)))
    acc = rng.integers(0, n_acc, rows)
    mon = rng.integers(0, months, rows)
    day = rng.integers(1, 29, rows)
    kind = rng.choice(10, rows, p=_KIND_P)
    order = np.lexsort((day, mon, acc))
    acc, mon, day, kind = acc[order], mon[order], day[order], kind[order]
    merch = rng.choice(len(MERCHANTS), rows, p=_zipf_p(len(MERCHANTS)))
    away = rng.random(rows) < 0.2
    city = np.where(away, rng.integers(0, len(CITIES), rows), (acc * 7) % len(CITIES))
    party = rng.integers(0, 10_000, rows)  # creditor / person / employer / cheque number seed
    med = np.array([_CENTS[k][0] for k in range(10)])[kind]
    sig = np.array([_CENTS[k][1] for k in range(10)])[kind]
    cents = np.maximum(1, (med * np.exp(rng.normal(0, 1, rows) * sig)).astype(np.int64))
    cents = np.where(np.isin(kind, list(_CREDIT)), cents, -cents)
    pending = np.zeros(rows, bool)
    # identical same-day rows: the next row of the same payload becomes an exact copy (two coffees)
    same_pay = np.r_[(acc[1:] == acc[:-1]) & (mon[1:] == mon[:-1]), False]
    dup = np.flatnonzero((rng.random(rows) < 0.01) & same_pay & (kind == CARD))
    dup = dup[np.r_[True, np.diff(dup) > 1]] if dup.size else dup
    for a in (day, kind, merch, city, party, cents):
        a[dup + 1] = a[dup]
    # pending card rows at month end; their booked twin comes next month with the full label
    pend = (kind == CARD) & (day >= 27) & (rng.random(rows) < 0.25)
    pend[dup + 1] = pend[dup]  # a pending coffee pair stays a pair
    pending[pend] = True
    twin_src = np.flatnonzero(pend & (mon < months - 1))
    cols = {"acc": acc, "mon": mon, "day": day, "kind": kind, "merch": merch, "city": city, "party": party,
            "cents": cents, "pending": pending, "op_mon": mon.copy(), "op_day": day.copy()}
    twins = {k: v[twin_src].copy() for k, v in cols.items()}
    twins["mon"] = twins["mon"] + 1
    twins["day"] = rng.integers(1, 4, twin_src.size)
    twins["pending"] = np.zeros(twin_src.size, bool)
    cols = {k: np.concatenate([cols[k], twins[k]]) for k in cols}
    order = np.lexsort((cols["day"], cols["mon"], cols["acc"]))
    cols = {k: v[order] for k, v in cols.items()}
    return _table(cols, start=start, seed=seed, months=months)


def _table(c: dict[str, np.ndarray], *, start: dt.date, seed: int, months: int) -> pa.Table:
    m0 = np.array([month_start(start, k) for k in range(months + 1)], dtype="datetime64[D]")
    booking = m0[c["mon"]] + (c["day"] - 1)
    op = m0[c["op_mon"]] + (c["op_day"] - 1)
    acc_l, kind_l, merch_l, city_l, party_l, pend_l = (c[k].tolist() for k in ("acc", "kind", "merch", "city", "party", "pending"))
    op_l = op.astype(object).tolist()
    labels = [_label(a, k, MERCHANTS[m], CITIES[ci], p, d, pe)
              for a, k, m, ci, p, d, pe in zip(acc_l, kind_l, merch_l, city_l, party_l, op_l, pend_l)]
    is_card = np.isin(c["kind"], [CARD, DAB])
    refs = [account_ref(a) for a in range(int(c["acc"].max()) + 1)]
    banks = [BANKS[a % len(BANKS)] for a in range(len(refs))]
    pay_key = c["acc"].astype(np.int64) * (months + 1) + c["mon"]
    upay, pay_idx = np.unique(pay_key, return_inverse=True)
    pay_acc, pay_mon = upay // (months + 1), upay % (months + 1)
    shas = [payload_sha(banks[a], refs[a], month_start(start, m), seed) for a, m in zip(pay_acc.tolist(), pay_mon.tolist())]
    w_start = m0[pay_mon]
    w_end = m0[pay_mon + 1] - 1
    fetched = (w_end + 1).astype("datetime64[us]") + np.timedelta64(6, "h") + pay_acc.astype("timedelta64[s]")
    return pa.table({
        "bank": pa.array([banks[a] for a in acc_l]), "account_ref": pa.array([refs[a] for a in acc_l]),
        "payload": pa.array(pay_idx.astype(np.int32)), "raw_sha256": pa.array(shas).take(pa.array(pay_idx)),
        "booking_date": pa.array(booking), "operation_date": pa.array(np.where(is_card, op, np.datetime64("NaT"))),
        "amount_cents": pa.array(c["cents"]), "label_raw": pa.array(labels), "pending": pa.array(c["pending"]),
        "window_start": pa.array(w_start[pay_idx]), "window_end": pa.array(w_end[pay_idx]),
        "fetched_at": pa.array(fetched[pay_idx]), "month_start": pa.array(m0[c["mon"]])})


def _label(acc: int, kind: int, merchant: str, city: str, party: int, d: dt.date, pending: bool) -> str:
    dd, mm, yy = f"{d.day:02d}", f"{d.month:02d}", f"{d.year % 100:02d}"
    card = 1000 + (acc * 7919) % 9000
    if kind == CARD:
        if pending:  # banks show a shorter label before booking
            return f"CARTE {dd}/{mm}/{yy} {merchant}"
        style = acc % 5
        if style == 0:
            return f"CARTE {dd}/{mm}/{yy} {merchant} {city}"
        if style == 1:
            return f"CB {merchant} {city} LE {dd}/{mm}"
        if style == 2:
            return f"FACTURE CARTE DU {dd}{mm}{yy} {merchant} {city} CARTE 4974XXXXXXXX{card}"
        if style == 3:
            return f"CARTE X{card} {dd}/{mm} {merchant} {city}"
        return f"ACHAT CB {merchant} {dd}.{mm}.{yy} CARTE NUMERO {card % 1000:03d}"
    if kind == DD:
        return f"PRLV SEPA {CREDITORS[party % len(CREDITORS)]} REF {yy}{mm}{party:06d}{acc % 97:02d}"
    if kind == VIR_OUT:
        return f"VIR SEPA {PEOPLE[party % len(PEOPLE)]}"
    if kind == VIR_IN:
        return f"VIR SEPA RECU /DE {EMPLOYERS[acc % len(EMPLOYERS)]} /MOTIF SALAIRE {mm}/20{yy}"
    if kind == VIR_INT:
        return "VIR INTERNE VERS LIVRET A" if party % 2 else "VIR INTERNE"
    if kind == DAB:
        return f"RETRAIT DAB {dd}/{mm}/{yy} {city} CB*{card}"
    if kind == CHQ:
        return f"CHEQUE N {party + 1000000:07d}"
    if kind == FEE:
        return ("COTISATION CARTE VISA PREMIER", "FRAIS TENUE DE COMPTE", "COMMISSION INTERVENTION")[party % 3]
    if kind == LOAN:
        return f"ECHEANCE PRET 00012345{acc % 100:02d} DU {dd}/{mm}/{yy}"
    return f"INTERETS CREDITEURS AU {dd}/{mm}/{yy}"


_DEC: dict[int, Decimal] = {}


def _money(cents: int) -> Decimal:
    d = _DEC.get(cents)
    if d is None:
        d = _DEC[cents] = Decimal(cents).scaleb(-2)
    return d


def payloads(table: pa.Table) -> list[tuple[ArtifactMeta, ParsedBatch]]:
    """One (meta, batch) per account-month, as a connector's ``parse()`` would hand them over."""
    cols = table.to_pydict()
    out: list[tuple[ArtifactMeta, ParsedBatch]] = []
    n = table.num_rows
    i = 0
    while i < n:
        j = i
        p = cols["payload"][i]
        while j < n and cols["payload"][j] == p:
            j += 1
        acc, bank, sha = cols["account_ref"][i], cols["bank"][i], cols["raw_sha256"][i]
        txns = [Transaction(account_ref=acc, booking_date=b, amount=_money(c), label_raw=lab,
                            operation_date=o, pending=pe)
                for b, c, lab, o, pe in zip(cols["booking_date"][i:j], cols["amount_cents"][i:j],
                                            cols["label_raw"][i:j], cols["operation_date"][i:j], cols["pending"][i:j])]
        ws, we, at = cols["window_start"][i], cols["window_end"][i], cols["fetched_at"][i]
        meta = replace(make_artifact(b"", bank=bank, connection=f"{bank}-synth", kind="json", resource="transactions",
                                     fetched_at=at, account_ref=acc, window_start=ws, window_end=we).meta, sha256=sha)
        out.append((meta, ParsedBatch(transactions=txns, window_start=ws, window_end=we)))
        i = j
    return out


def canonical(table: pa.Table) -> pa.Table:
    """The canonical rows as one Parquet-able table (amount as decimal(18,2), like the lake)."""
    amount = pa.array([_money(c) for c in table["amount_cents"].to_pylist()], pa.decimal128(18, 2))
    return table.drop_columns(["amount_cents", "payload", "month_start"]).append_column("amount", amount)


def raw_path(meta: ArtifactMeta) -> Path:
    """Where the raw payload would be (the lake records it; the benchmarks land no raw bytes)."""
    return Path("raw") / meta.bank / meta.connection / f"{meta.sha256}.json"


# ------------------------------------------------------------------ measurement helpers (both benchmarks)
def loadavg() -> str:
    """The 1-minute load average (this machine has 2 cores; other work may be running)."""
    import os

    return f"load {os.getloadavg()[0]:.2f}"


class TimedConnection:
    """Wraps a DuckDB connection and adds up the wall time of each statement, keyed by the load file
    it comes from (``Warehouse.load`` runs ``loads/*.sql`` through ``self.con.execute``)."""

    def __init__(self, con, names: dict[str, str]) -> None:
        self._con, self._names, self.times = con, names, {}

    def execute(self, text, *args):
        import time

        t = time.perf_counter()
        try:
            return self._con.execute(text, *args)
        finally:
            key = self._names.get(text, text.split()[0] if text.split() else "?")
            self.times[key] = self.times.get(key, 0.0) + time.perf_counter() - t

    def __getattr__(self, name):
        return getattr(self._con, name)
