"""The user's edits (category overrides, rules, links) and the refresh that puts them, and the learned
fallback, into the warehouse. The files in the data dir are the source of truth; the warehouse mirrors
them, so ``bankflow rebuild`` restores them.

Links: ``<data-dir>/links.csv`` is an append-only journal (``a_id,b_id,action,set_at``, last line for a
pair wins, action ``link`` | ``unlink`` | ``clear``), mirrored into ``core.user_links`` so the identity
views honour it.

Categories:

Where a transaction's category comes from, in order (``marts.transactions.category_source``):

1. ``override``  ``bankflow categorize TXN_ID CATEGORY``. Kept in ``<data-dir>/overrides.csv``, an
   append-only journal (txn_id, category, set_at; the last line of a txn_id wins; an empty category
   clears the override). The file is the source of truth; ``core.category_overrides`` mirrors it.
2. ``rule``      the user's ordered rules in ``<data-dir>/rules.toml`` (same format as the default
   taxonomy, ``transforms/rules/categories.toml``; ``bankflow categorize --merchant PATTERN CATEGORY``
   appends one), then the default taxonomy. Default rules are applied when a payload enters the lake
   (they depend on the label only); the user's rules are applied here, into ``core.rule_categories``,
   so that editing rules.toml needs no re-parse.
3. ``model``     the learned fallback (:mod:`transforms.learn`, needs the ``ml`` extra) for rows with no
   override and no rule, trained on the rows categorized by 1 and 2, abstaining below its threshold.
4. ``bank``      the bank's own category as a hint (``bank_categories.toml`` maps it to the taxonomy).
5. ``none``.

:func:`refresh` runs 1-3 as one warehouse transaction. **Decision** (issue 17: incremental equals
rebuild, categories included): the model is *trained* only by ``bankflow categorize`` (``refresh`` with
``use_model``), which saves it in ``<data-dir>/.warehouse/category_model.pickle``; every load (sync,
import) and ``bankflow rebuild`` run the same :func:`refresh_after_load`, which *applies* that saved model
(no retraining) to every row without an override or rule. So the rows a sync adds get the model's answers,
and a rebuild gives the same categories as the incremental runs; before any ``categorize``, neither path
applies a model. Because overrides, rules and the saved model live outside the warehouse file, a rebuild
(which recreates the warehouse from raw/) keeps them.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import pickle
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from connectors.errors import ConfigError
from transforms import learn
from transforms.categorize import CategoryRule, parse_rules, taxonomy
from pipeline.refresh_rows import decide_columns
from warehouse.db import Warehouse

OVERRIDES_FILE = "overrides.csv"
RULES_FILE = "rules.toml"
_OVERRIDE_COLUMNS = ["txn_id", "category", "set_at"]


def overrides_path(root: Path) -> Path:
    return Path(root) / OVERRIDES_FILE


def rules_path(root: Path) -> Path:
    return Path(root) / RULES_FILE


# ------------------------------------------------------------------------------------ overrides
def read_overrides(root: Path) -> dict[str, tuple[str, dt.datetime | None]]:
    """txn_id -> (category, set_at), the journal replayed (last line wins, empty category clears)."""
    path = overrides_path(root)
    if not path.exists():
        return {}
    out: dict[str, tuple[str, dt.datetime | None]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not {"txn_id", "category"} <= set(reader.fieldnames):
            raise ConfigError(f"{path}: expected a CSV with columns {', '.join(_OVERRIDE_COLUMNS)}",
                              remedy=f"fix {path} (one line per override: txn_id,category,set_at)")
        for n, row in enumerate(reader, start=2):
            txn = (row.get("txn_id") or "").strip()
            if not txn:
                raise ConfigError(f"{path}: line {n}: empty txn_id", remedy=f"fix {path}")
            cat = (row.get("category") or "").strip()
            if not cat:
                out.pop(txn, None)
                continue
            set_at = row.get("set_at") or None
            out[txn] = (cat, dt.datetime.fromisoformat(set_at) if set_at else None)
    return out


def append_journal(path: Path, columns: list[str], values: list[str]) -> None:
    """Append one line (plus ``set_at``, now) to a user-edit journal CSV, writing its header first."""
    new = not path.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        if new:
            w.writerow(columns)
        w.writerow([*values, _now().isoformat(timespec="seconds")])


def known_categories(root: Path) -> tuple[str, ...]:
    """The taxonomy (:func:`transforms.categorize.taxonomy`) plus the categories of the user's rules."""
    return taxonomy(read_user_rules(root))


def add_override(root: Path, txn_id: str, category: str | None) -> None:
    """Append one override to the journal (``category`` None clears the transaction's override). A
    category outside :func:`known_categories` is refused: a typo would silently start a new category."""
    if category is not None and category not in known_categories(root):
        near = [c for c in known_categories(root) if c.casefold() == category.casefold()
                or c.split(":")[-1].casefold() == category.split(":")[-1].casefold()]
        raise ConfigError(f"unknown category {category!r}" + (f" (did you mean {near[0]!r}?)" if near else ""),
                          remedy="list the categories with `bankflow categorize --list`; a new one needs a "
                                 f"rule of yours in {rules_path(root)} (bankflow categorize --merchant ... CATEGORY)")
    append_journal(overrides_path(root), _OVERRIDE_COLUMNS, [txn_id, category or ""])


def read_user_rules(root: Path) -> tuple[CategoryRule, ...]:
    """The user's ordered rules from ``<data-dir>/rules.toml`` (none when the file does not exist)."""
    path = rules_path(root)
    return parse_rules(path.read_text("utf-8"), str(path)) if path.exists() else ()


def add_rule(root: Path, category: str, *, merchant: str | None = None, label: str | None = None,
             kind: str | None = None, sign: str | None = None) -> CategoryRule:
    """Append a rule to ``<data-dir>/rules.toml`` (validated first; the file keeps its order, so an
    earlier, broader rule of yours still wins: edit the file to reorder)."""
    fields = {"category": category, "merchant": merchant, "label": label, "kind": kind, "sign": sign}
    # json strings are valid TOML basic strings (same escapes)
    body = "".join(f"{k} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in fields.items() if v)
    block = f"\n[[rule]]\n{body}"
    path = rules_path(root)
    rule = parse_rules(block, str(path))[0]
    text = path.read_text("utf-8") if path.exists() else (
        "# Your categorization rules: ordered, first match wins, before bankflow's default taxonomy.\n"
        "# Same keys as transforms/rules/categories.toml: category, label, merchant, kind, sign, account,\n"
        "# min_amount, max_amount. Applied by the next sync, import, rebuild or `bankflow categorize`.\n")
    parse_rules(text + block, str(path))  # the whole file must still be valid
    path.write_text(text + block, "utf-8")
    return rule


# ------------------------------------------------------------------------------------ links
LINKS_FILE = "links.csv"
_LINK_COLUMNS = ["a_id", "b_id", "action", "set_at"]


def links_path(root: Path) -> Path:
    return Path(root) / LINKS_FILE


def read_links(root: Path) -> dict[tuple[str, str], tuple[str, dt.datetime | None]]:
    path = links_path(root)
    if not path.exists():
        return {}
    out: dict[tuple[str, str], tuple[str, dt.datetime | None]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames is None or not {"a_id", "b_id", "action"} <= set(reader.fieldnames):
            raise ConfigError(f"{path}: expected a CSV with columns {', '.join(_LINK_COLUMNS)}", remedy=f"fix {path}")
        for n, row in enumerate(reader, start=2):
            a, b, action = (row.get(k, "").strip() for k in ("a_id", "b_id", "action"))
            if not a or not b or action not in ("link", "unlink", "clear"):
                raise ConfigError(f"{path}: line {n}: expected a_id,b_id and action link|unlink|clear",
                                  remedy=f"fix {path}")
            key = (a, b) if a <= b else (b, a)
            if action == "clear":
                out.pop(key, None)
            else:
                at = row.get("set_at") or None
                out[key] = (action, dt.datetime.fromisoformat(at) if at else None)
    return out


def add_link(root: Path, a_id: str, b_id: str, action: str) -> None:
    append_journal(links_path(root), _LINK_COLUMNS, [a_id, b_id, action])


def mirror_links(root: Path, wh: Warehouse) -> int:
    """Replace ``core.user_links`` with the journal's current decisions. Both orientations are stored,
    so the views can look a pair up either way round."""
    links = read_links(root)
    rows = [(a, b, act, at) for (a, b), (act, at) in links.items()] + \
           [(b, a, act, at) for (a, b), (act, at) in links.items()]
    table = pa.table({"a_id": pa.array([r[0] for r in rows], pa.string()),
                      "b_id": pa.array([r[1] for r in rows], pa.string()),
                      "action": pa.array([r[2] for r in rows], pa.string()),
                      "set_at": pa.array([r[3] for r in rows], pa.timestamp("us"))})
    with wh.transaction():  # the identity results of the accounts whose links changed are recomputed
        wh.replace_from("scope_changed_links.sql", {"edits_links": table})
        wh.replace_from("replace_user_links.sql", {"edits_links": table})
        wh.refresh_derived()
    return len(links)


# ------------------------------------------------------------------------------------ refresh
@dataclass(frozen=True, slots=True)
class RefreshResult:
    overrides: int
    user_rule_rows: int
    model_rows: int
    model_examples: int | None
    model_status: str  # "trained", "no sklearn", "too little history", "disabled"


MODEL_FILE = Path(".warehouse") / "category_model.pickle"


def model_path(root: Path) -> Path:
    return Path(root) / MODEL_FILE


def save_model(root: Path, model: learn.Model | None) -> None:
    """Keep the model ``bankflow categorize`` trained (None: it could not train one; forget the old)."""
    path = model_path(root)
    if model is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(pickle.dumps(model))
    tmp.replace(path)


def load_model(root: Path) -> learn.Model | None:
    """The saved model (a file bankflow itself wrote in the user's data dir), None without one or when it
    cannot be read here (no scikit-learn, another version)."""
    path = model_path(root)
    if not path.exists() or not learn.available():
        return None
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # an unreadable model is treated like no model; `bankflow categorize` retrains
        return None


def refresh(root: Path, wh: Warehouse, *, use_model: bool = True,
            threshold: float = learn.DEFAULT_THRESHOLD, saved_model: bool = False) -> RefreshResult:
    """Re-read the user's edits from ``root`` (the data dir) and recompute user-rule and model categories,
    in one warehouse transaction. ``use_model``: train the model on the categorized history and save it;
    ``saved_model``: apply the saved one instead (what loads and rebuild do)."""
    overrides = read_overrides(root)
    user_rules = read_user_rules(root)
    training = not saved_model and use_model and learn.available()
    # column-wise: per distinct label/merchant, not per row (pipeline/refresh_rows.py)
    decided = decide_columns(wh.fetch_arrow("categorize_rows.sql"), overrides, user_rules, examples=training)
    rule_hits = decided.rule_hits

    model_rows: list[tuple[str, str, float]] = []
    examples: int | None = None
    model: learn.Model | None = None
    if saved_model:
        model = load_model(root)
        status = "saved model" if model is not None else "no saved model"
    elif not use_model:
        status = "disabled"
    elif not learn.available():
        status = "no sklearn"
    else:
        model = learn.train(decided.examples or [], threshold=threshold)
        status = "too little history" if model is None else "trained"
        save_model(root, model)
    if model is not None:
        examples = model.examples
        answers = model.predict(decided.todo_texts)
        for txn, (cat, conf) in zip(decided.todo_txns, answers, strict=True):
            if cat is not None:
                model_rows.append((txn, cat, conf))

    with wh.transaction():
        wh.replace_from("replace_category_overrides.sql", {"edits_overrides": _table(
            {"txn_id": list(overrides), "category": [c for c, _ in overrides.values()],
             "set_at": pa.array([s for _, s in overrides.values()], pa.timestamp("us"))})})
        wh.replace_from("replace_rule_categories.sql", {"edits_rule_categories": _table(
            {"txn_id": [r[0] for r in rule_hits], "category": [r[1] for r in rule_hits],
             "rule": [r[2] for r in rule_hits]})})
        wh.replace_from("replace_model_categories.sql", {"edits_model_categories": _table(
            {"txn_id": [r[0] for r in model_rows], "category": [r[1] for r in model_rows],
             "confidence": pa.array([r[2] for r in model_rows], pa.float64())})})
        result = RefreshResult(len(overrides), len(rule_hits), len(model_rows), examples, status)
        wh.run("record_categorize_run.sql",
               {"ran_at": _now(), "overrides": result.overrides, "user_rule_rows": result.user_rule_rows,
                "model_rows": result.model_rows, "model_examples": examples, "model_status": status})
    return result


def _table(columns: dict) -> pa.Table:
    return pa.table({k: v if isinstance(v, pa.Array) else pa.array(v, pa.string()) for k, v in columns.items()})


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def refresh_after_load(root: Path, wh: Warehouse) -> RefreshResult | None:
    """The refresh a sync, an import or a rebuild runs after loading: the user's links, overrides, rules
    and the saved model (see the module doc) reach the new rows. Skipped when the user has none of them,
    so a plain sync never scans the whole ledger in Python."""
    if links_path(root).exists():
        mirror_links(root, wh)
    if not (overrides_path(root).exists() or rules_path(root).exists() or model_path(root).exists()):
        return None
    return refresh(root, wh, saved_model=True)


#: ``bankflow rebuild`` ends with exactly what every load ends with (incremental equals rebuild)
refresh_after_rebuild = refresh_after_load
