"""Categorization on real bank labels (benchmarks/data/real_labels.csv, provenance in benchmarks/data/README.md).

Runs ``describe()`` (what ``normalize`` runs on every row) on each label with the bank's category when the
source gives one, then the learned model on the rows no rule categorized (see :func:`add_model`), in the
order of ``pipeline.edits``: rule, model, bank hint.

Prints, for debit rows whose true category is known (``category != "?"``):
* categorized: share of rows given a category; precision: correct / categorized; overall and per source
  (``rule``, ``bank``, ``model``) and per bank;
* the rows whose true category is "?" that still got a category (unverifiable, listed with --show);
* credits, the same figures.
Target (issue 15): >= 85% of debit rows categorized at >= 95% precision.
Run: python benchmarks/bench_real_labels.py [--file real_labels_holdout.csv] [--show] [--threshold 0.5]
"""
from __future__ import annotations

import argparse
import csv
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms import learn  # noqa: E402
from transforms.categorize import describe  # noqa: E402

DATA = Path(__file__).parent / "data"


def load(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["amount"] = Decimal(r["amount"])
        r["kind"], r["merchant"], r["pred"], r["source_used"] = describe(
            r["label_raw"], r["amount"], r["bank_category"] or None)
    return rows


def add_model(rows: list[dict], threshold: float, history: str) -> None:
    """The learned fallback as ``pipeline.edits.refresh`` runs it: trained on the categorized history
    (``rules``: the rows of this file a rule categorized, with the rule's category -- what a user's
    warehouse holds, no true category involved; ``synthetic``: benchmarks/data/labeled_labels.csv), it
    predicts for the rows no rule categorized, before the bank's hint (a hint stays when it abstains)."""
    if not learn.available():
        print("(scikit-learn not installed: no model figures)")
        return
    from transforms.categorize import kind_of, merchant_of
    if history == "rules":
        examples = [(learn.features(r["label_raw"], r["merchant"], r["kind"], r["amount"]), r["pred"])
                    for r in rows if r["source_used"] == "rule"]
    else:
        with (DATA / "labeled_labels.csv").open(encoding="utf-8") as f:
            examples = [(learn.features(h["label_raw"], merchant_of(h["label_raw"]), kind_of(h["label_raw"]),
                                        Decimal(h["amount"])), h["category"]) for h in csv.DictReader(f)]
    model = learn.train(examples, threshold=threshold)
    if model is None:
        print("(too little history: no model)")
        return
    todo = [r for r in rows if r["source_used"] != "rule"]
    preds = model.predict([learn.features(r["label_raw"], r["merchant"], r["kind"], r["amount"]) for r in todo])
    for r, (cat, _conf) in zip(todo, preds):
        if cat is not None:
            r["pred"], r["source_used"] = cat, "model"


def figures(rows: list[dict]) -> str:
    known = [r for r in rows if r["category"] != "?"]
    done = [r for r in known if r["pred"] is not None]
    ok = sum(r["pred"] == r["category"] for r in done)
    cov = len(done) / len(known) if known else float("nan")
    prec = ok / len(done) if done else float("nan")
    return f"{len(known):4d} rows  categorized {cov:6.1%} ({len(done)})  precision {prec:6.1%} ({ok}/{len(done)})"


def report(rows: list[dict], title: str) -> None:
    print(f"{title}: {figures(rows)}")
    known = [r for r in rows if r["category"] != "?"]
    by_source = defaultdict(list)
    for r in known:
        by_source[r["source_used"]].append(r)
    for src in ("rule", "bank", "model"):
        got = by_source.get(src, [])
        ok = sum(r["pred"] == r["category"] for r in got)
        share = len(got) / len(known) if known else 0.0
        prec = f"{ok / len(got):6.1%}" if got else "   n/a"
        print(f"  source {src:<6} {len(got):4d} rows ({share:6.1%} of rows)  precision {prec} ({ok}/{len(got)})")
    unknown = [r for r in rows if r["category"] == "?"]
    print(f"  true category unknown: {len(unknown)} rows, {sum(r['pred'] is not None for r in unknown)} given one")
    given = sum(r["pred"] is not None for r in rows)
    print(f"  all {len(rows)} rows, unknown truth included: categorized {given / len(rows):6.1%} ({given})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threshold", type=float, default=learn.DEFAULT_THRESHOLD)
    ap.add_argument("--no-model", action="store_true")
    ap.add_argument("--history", choices=("rules", "synthetic"), default="rules",
                    help="what the model learns from (see add_model)")
    ap.add_argument("--show", action="store_true", help="list wrong and missing rows")
    ap.add_argument("--file", default="real_labels.csv",
                    help="real_labels.csv, or real_labels_holdout.csv (kept out of the rule work)")
    args = ap.parse_args()
    rows = load(args.file)
    if not args.no_model:
        add_model(rows, args.threshold, args.history)
    debits = [r for r in rows if r["amount"] < 0]
    credits = [r for r in rows if r["amount"] >= 0]
    print(f"{args.file}: {len(rows)} rows ({len(debits)} debits, {len(credits)} credits), "
          f"{len({r['bank'] for r in rows})} banks")
    report(debits, "debits")
    by_bank = defaultdict(list)
    for r in debits:
        by_bank[r["bank"]].append(r)
    for bank, rs in sorted(by_bank.items()):
        print(f"    {bank:<20} {figures(rs)}")
    report(credits, "credits")
    if args.show:
        print("wrong:")
        for r in rows:
            if r["pred"] is not None and r["category"] != "?" and r["pred"] != r["category"]:
                print(f"  {r['label_raw']!r:70} {r['merchant']!r:28} {r['source_used']}={r['pred']} truth={r['category']}")
        print("missing (debits):")
        for r in debits:
            if r["pred"] is None and r["category"] != "?":
                print(f"  {r['label_raw']!r:70} {r['merchant']!r:28} kind={r['kind']} truth={r['category']}")
        print("unknown truth, categorized:")
        for r in rows:
            if r["pred"] is not None and r["category"] == "?":
                print(f"  {r['label_raw']!r:70} {r['source_used']}={r['pred']}")


if __name__ == "__main__":
    main()
