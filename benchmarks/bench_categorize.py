"""Categorization accuracy on a hand-labeled set of French bank labels (benchmarks/data/labeled_labels.csv).

Prints, for the whole set and for a held-out test split (fixed seed):
* rules alone (default taxonomy): accuracy on the rows it categorizes, abstention rate, overall accuracy;
* rules + model: the model is trained on the training split's true categories (standing for the user's
  categorized history: rule results and overrides) and fills in the test rows no rule matched, abstaining
  below the confidence threshold;
* the model alone on the test split, at several thresholds.

"accuracy (answered)" = correct / rows given a category; "abstention" = rows left without a category;
"overall" = correct / all rows (an abstention counts as not correct).
Run: python benchmarks/bench_categorize.py [--threshold 0.5] [--show-misses]
"""
from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from transforms import learn  # noqa: E402
from transforms.categorize import default_rules, kind_of, match_rules, merchant_of  # noqa: E402

DATA = Path(__file__).parent / "data" / "labeled_labels.csv"


def load() -> list[dict]:
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        r["amount"] = Decimal(r["amount"])
        r["kind"] = kind_of(r["label_raw"])
        r["merchant"] = merchant_of(r["label_raw"])
        r["rule"] = match_rules(r["label_raw"], r["kind"], r["amount"], default_rules(), merchant=r["merchant"])
        r["text"] = learn.features(r["label_raw"], r["merchant"], r["kind"], r["amount"])
    return rows


def score(pred: list[str | None], truth: list[str]) -> tuple[float, float, float]:
    answered = [(p, t) for p, t in zip(pred, truth) if p is not None]
    correct = sum(p == t for p, t in answered)
    acc = correct / len(answered) if answered else float("nan")
    return acc, 1 - len(answered) / len(truth), correct / len(truth)


def line(name: str, pred: list[str | None], truth: list[str]) -> None:
    acc, abst, overall = score(pred, truth)
    print(f"  {name:<34} accuracy (answered) {acc:6.1%}   abstention {abst:6.1%}   overall {overall:6.1%}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threshold", type=float, default=learn.DEFAULT_THRESHOLD)
    ap.add_argument("--test-share", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args()

    t0 = time.perf_counter()
    rows = load()
    t_rules = time.perf_counter() - t0
    print(f"labeled set: {len(rows)} rows, {len({r['category'] for r in rows})} categories "
          f"(kind + merchant + rules in {t_rules * 1000:.0f} ms)")
    print("whole set:")
    line("rules alone", [r["rule"] for r in rows], [r["category"] for r in rows])

    rng = random.Random(args.seed)
    shuffled = rows[:]
    rng.shuffle(shuffled)
    n_test = int(len(rows) * args.test_share)
    test, train_rows = shuffled[:n_test], shuffled[n_test:]
    truth = [r["category"] for r in test]
    print(f"test split: {len(test)} rows (train {len(train_rows)}, seed {args.seed}):")
    line("rules alone", [r["rule"] for r in test], truth)
    if not learn.available():
        print("  (scikit-learn not installed: no model figures; pip install 'bankflow[ml]')")
        return
    model = learn.train(((r["text"], r["category"]) for r in train_rows), threshold=args.threshold)
    preds = model.predict([r["text"] for r in test])
    combined = [r["rule"] if r["rule"] is not None else p for r, (p, _c) in zip(test, preds)]
    line(f"rules + model (t={args.threshold:g})", combined, truth)
    no_rule = [(r, p) for r, (p, _c) in zip(test, preds) if r["rule"] is None]
    if no_rule:
        line("  model on rows no rule matched", [p for _, p in no_rule], [r["category"] for r, _ in no_rule])
    for t in (0.0, 0.3, 0.5, 0.7):
        model.threshold = t
        line(f"model alone (t={t:g})", [p for p, _ in model.predict([r["text"] for r in test])], truth)
    if args.show_misses:
        print("rule misses (whole set):")
        for r in rows:
            if r["rule"] != r["category"]:
                print(f"  {r['label_raw']!r:70} {r['merchant']!r:32} rule={r['rule']} truth={r['category']}")


if __name__ == "__main__":
    main()
