"""Kinds, merchants and categories from label patterns kept as data (``transforms/rules/*.toml``).

Pure functions of one row, used by ``normalize`` when a payload enters the lake:

* :func:`kind_of`     ordered label patterns (``kinds.toml``), first match wins, else ``"other"``.
* :func:`merchant_of` the merchant name without kind prefix, card numbers, dates, SEPA references and
  city suffixes (``merchants.toml``).
* :func:`categorize`  ordered rules (the user's rules, then the default French household taxonomy of
  ``categories.toml``, then the merchant knowledge base ``merchant_kb.toml``), first match wins ->
  ``(category, "rule")``; else the bank's own category as a hint, mapped to the taxonomy by
  ``bank_categories.toml`` when known -> ``(category, "bank")``; else the category a bank prints inside
  the label (:func:`label_hint`) -> ``(category, "bank")``; else ``(None, "none")``.

All patterns are Python regular expressions searched in the *folded* label (:func:`fold`: upper case,
no accents, single spaces), so a rule never has to spell "PRÉLÈVEMENT" and "PRELEVEMENT" twice. Folding,
masking and the data files live in :mod:`transforms.folding`, the banks' hints in :mod:`transforms.hints`
(both re-exported here).

Where the other sources come in (overrides, the user's ``rules.toml``, the learned model) and in which
order the warehouse picks them: see :mod:`pipeline.edits`.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from connectors.errors import ConfigError
from transforms.folding import _load_toml, _mask, fold  # noqa: F401  (fold, _mask: used by describe_bulk, learn)
from transforms import hints
from transforms.hints import _label_hint, bank_hint, label_hint, rule_text  # noqa: F401  (re-exported)

KINDS = ("card", "withdrawal", "transfer", "direct_debit", "check", "fee", "deposit", "interest", "loan", "other")
RULE_KEYS = {"category", "label", "merchant", "kind", "sign", "account", "min_amount", "max_amount", "name"}


@dataclass(frozen=True, slots=True)
class CategoryRule:
    """One rule. Every given condition must hold. ``label``/``merchant`` are regexes searched in the
    folded raw label / merchant; ``kind`` one kind or a list; ``sign`` "debit" or "credit"; ``account``
    the account number as printed (or account_id); ``min_amount``/``max_amount`` bound the absolute
    amount. ``name`` says where the rule comes from (file and position) for ``bankflow`` messages."""

    category: str
    label: re.Pattern[str] | None = None
    merchant: re.Pattern[str] | None = None
    kind: frozenset[str] | None = None
    sign: str | None = None
    account: str | None = None
    min_amount: Decimal | None = None
    max_amount: Decimal | None = None
    name: str = ""

    def matches(self, label: str, kind: str, amount: Decimal, merchant: str | None = None,
                account: str | None = None) -> bool:
        """``label`` must already be folded (:func:`fold`)."""
        if self.kind is not None and kind not in self.kind:
            return False
        if self.sign == "debit" and amount >= 0 or self.sign == "credit" and amount < 0:
            return False
        if self.account is not None and account != self.account:
            return False
        if self.min_amount is not None and abs(amount) < self.min_amount:
            return False
        if self.max_amount is not None and abs(amount) > self.max_amount:
            return False
        if self.merchant is not None and not (merchant and self.merchant.search(fold(merchant))):
            return False
        return self.label is None or bool(self.label.search(label))


# ---------------------------------------------------------------------------------------- data files
@cache
def kind_patterns() -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    data = _load_toml("kinds.toml")
    return tuple((k["name"], tuple(re.compile(p) for p in k["patterns"])) for k in data["kind"])


@dataclass(frozen=True, slots=True)
class _MerchantSpec:
    generic: tuple[re.Pattern[str], ...]
    counterparty: re.Pattern[str]
    prefixes: tuple[tuple[re.Pattern[str], bool], ...]
    cut: re.Pattern[str]
    noise: re.Pattern[str]
    processor: re.Pattern[str]
    tail: re.Pattern[str]
    lead_city: re.Pattern[str]
    generic_any: re.Pattern[str] | None = None  # the same patterns joined (speed): see _joined
    prefix_any: re.Pattern[str] | None = None


def _joined(patterns: list[str], named: bool = False) -> re.Pattern[str] | None:
    """One alternation of ``patterns`` (pattern i as group ``_i`` when ``named``), so one ``re`` call does
    the work of one call per pattern; None when joining could change what a pattern means (numbered
    backreferences and conditionals: group numbers shift; inline global flags; clashing group names)."""
    if any(re.search(r"\\[1-9]|\(\?\(", p) for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?P<_{i}>{p})" if named else f"(?:{p})" for i, p in enumerate(patterns)))
    except re.error:
        return None


@cache
def _merchant_spec() -> _MerchantSpec:
    d = _load_toml("merchants.toml")
    cities = "|".join(sorted(d["cities"], key=len, reverse=True))
    suffix = "|".join(d["suffix"])
    return _MerchantSpec(
        generic=tuple(re.compile(p) for p in d["generic"]),
        counterparty=re.compile(d["counterparty"]),
        prefixes=tuple((re.compile(p["pattern"]), bool(p.get("city_follows"))) for p in d["prefix"]),
        cut=re.compile("|".join(f"(?:{p})" for p in d["cut"])),
        noise=re.compile("|".join(f"(?:{p})" for p in d["noise"])),
        processor=re.compile("|".join(f"(?:{p})" for p in d["processor"])),
        tail=re.compile(rf"(?:^|[ ,])(?:{suffix}|(?:(?:DE|DU|D) )?(?:\d{{2,5}} )?(?:{cities})(?: \d{{1,2}}(?:E|EME|ER)?)?)$"),
        lead_city=re.compile(rf"^(?:\d{{2,5}} )?(?:{cities})(?: \d{{1,2}}(?:E|EME|ER)?)? (?=\S)"),
        generic_any=_joined(d["generic"]),
        prefix_any=_joined([p["pattern"] for p in d["prefix"]], named=True),
    )


def _parse_rule(r: dict[str, Any], where: str, file: str) -> CategoryRule:
    def bad(msg: str) -> ConfigError:
        return ConfigError(f"{file}: {where}: {msg}", remedy=f"fix {file} (see README, 'Categories')")

    unknown = set(r) - RULE_KEYS
    if unknown:
        raise bad(f"unknown key(s) {sorted(unknown)}; allowed: {sorted(RULE_KEYS)}")
    if not isinstance(r.get("category"), str) or not r["category"].strip():
        raise bad("every rule needs a non-empty `category`")
    if r.get("sign") not in (None, "debit", "credit"):
        raise bad(f"`sign` must be \"debit\" or \"credit\", found {r['sign']!r}")
    kinds = r.get("kind")
    kinds = None if kinds is None else frozenset([kinds] if isinstance(kinds, str) else kinds)
    if kinds is not None and not kinds <= set(KINDS):
        raise bad(f"unknown kind(s) {sorted(kinds - set(KINDS))}; kinds are {', '.join(KINDS)}")

    def rx(key: str) -> re.Pattern[str] | None:
        if not r.get(key):
            return None
        try:
            return re.compile(fold(r[key]) if key == "merchant" else r[key])
        except re.error as exc:
            raise bad(f"`{key}` is not a valid regular expression ({exc})") from None

    def dec(key: str) -> Decimal | None:
        return None if r.get(key) is None else Decimal(str(r[key]))

    if not any(r.get(k) for k in ("label", "merchant", "kind", "account")):
        raise bad("a rule needs at least one of `label`, `merchant`, `kind`, `account`")
    return CategoryRule(category=r["category"].strip(), label=rx("label"), merchant=rx("merchant"), kind=kinds,
                        sign=r.get("sign"), account=r.get("account"), min_amount=dec("min_amount"),
                        max_amount=dec("max_amount"), name=r.get("name") or f"{file}#{where}")


def parse_rules(text: str, file: str) -> tuple[CategoryRule, ...]:
    """Rules from TOML text (``[[rule]]`` tables), validated; errors name the file and the rule."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML ({exc})", remedy=f"fix {file}") from None
    return tuple(_parse_rule(r, f"rule {i + 1}", file) for i, r in enumerate(data.get("rule", [])))


def load_rules(user_rules: tuple[CategoryRule, ...] = ()) -> tuple[CategoryRule, ...]:
    """The user's rules (see :func:`pipeline.edits.read_user_rules`) followed by the default taxonomy."""
    return user_rules + default_rules()


@cache
def default_rules() -> tuple[CategoryRule, ...]:
    """``categories.toml`` (ordered regex rules), then the merchant knowledge base ``merchant_kb.toml``."""
    return parse_rules(resources.files("transforms.rules").joinpath("categories.toml").read_text("utf-8"),
                       "categories.toml") + kb_rules(_load_toml("merchant_kb.toml"), "merchant_kb.toml")


def _word(name: str) -> str:
    """``name`` as a regex on folded labels: the words in order, any run (even none: banks drop spaces,
    "ANTONYCARBURANT") of spaces/punctuation between them, and a word boundary on each edge that is a
    letter or digit (so "MAAF" is not found in "MAAFX")."""
    words = fold(name).replace("'", " ").replace("-", " ").split()
    body = r"[ .'/-]*".join(re.escape(w) for w in words)
    left = r"\b" if words[0][0].isalnum() else ""
    right = r"\b" if words[-1][-1].isalnum() else ""
    return f"{left}{body}{right}"


def taxonomy(user_rules: tuple[CategoryRule, ...] = ()) -> tuple[str, ...]:
    """Every category name bankflow knows, sorted: the default rules' and the bank-category map's
    (``Parent:Child``, and each parent alone), plus the categories of the user's own rules."""
    names = {r.category for r in default_rules() + user_rules} | set(hints._bank_map()[0].values())
    names |= {n.split(":", 1)[0] for n in names}
    return tuple(sorted(names))


def kb_rules(data: dict[str, Any], file: str) -> tuple[CategoryRule, ...]:
    """One debit rule per ``[[merchant]]`` table: any of its ``names`` (merchant names as banks print them,
    matched as whole words in the folded label, spaces and punctuation between words free) implies its
    ``category``; ``kind`` optionally restricts it (e.g. to card payments); ``credit_category``, when
    given, adds the same names as a credit rule (money from an insurer or a utility is a refund)."""
    out = []
    for i, entry in enumerate(data.get("merchant", [])):
        names = entry.get("names") or []
        if not isinstance(entry.get("category"), str) or not names:
            raise ConfigError(f"{file}: merchant {i + 1}: needs a `category` and a non-empty `names` list",
                              remedy=f"fix {file}")
        label = "(?:" + "|".join(_word(n) for n in names) + ")"
        rule = {"category": entry["category"], "sign": "debit", "name": f"{file}#{entry['category']}",
                "label": label}
        if entry.get("kind"):
            rule["kind"] = entry["kind"]
        out.append(_parse_rule(rule, f"merchant {i + 1}", file))
        if entry.get("credit_category"):  # what money *from* these bodies is (an insurer's refund)
            out.append(_parse_rule({"category": entry["credit_category"], "sign": "credit", "label": label,
                                    "name": f"{file}#{entry['category']} (credit)"}, f"merchant {i + 1}", file))
    return tuple(out)


# ---------------------------------------------------------------------------------------- functions
def kind_of(label_raw: str) -> str:
    return _kind(_mask(label_raw))


@lru_cache(maxsize=1 << 17)
def _kind(label_raw: str) -> str:
    up = fold(label_raw)
    for name, pats in kind_patterns():
        if any(p.search(up) for p in pats):
            return name
    return "other"


def _strip_tail(s: str, tail: re.Pattern[str]) -> str:
    while True:
        m = tail.search(s)
        if not m or m.start() == 0:
            return s
        s = s[:m.start()].rstrip(" ,-")


def merchant_of(label_raw: str) -> str | None:
    """The merchant (or counterparty) name, upper case; ``None`` when the label names none."""
    return _merchant(_mask(label_raw))


@lru_cache(maxsize=1 << 17)
def _merchant(label_raw: str) -> str | None:
    return merchant_folded(fold(label_raw))


def merchant_folded(s: str) -> str | None:
    """:func:`merchant_of` of a label already masked and folded (uncached: callers that see each label
    once, like ``describe_bulk``, save the fold)."""
    rest = merchant_rest(s)
    return None if rest is None else _merchant_name(rest)


def merchant_rest(s: str) -> str | None:
    """Steps 1-3 of ``merchants.toml`` on a masked, folded label: None for a label that names no
    merchant (``generic``), else what :func:`_merchant_name` reads (the counterparty, or the label
    without its prefixes and, where the format prints it first, its city)."""
    spec = _merchant_spec()
    if spec.generic_any.search(s) if spec.generic_any else any(p.search(s) for p in spec.generic):
        return None
    cp = spec.counterparty.search(s)
    if cp:
        s = cp.group(1)
    else:
        city_first = False
        for _ in range(3):  # a label can carry two prefixes ("FACT 120324 CB*1234 ...")
            found = _prefix(s, spec)
            if found is None:
                break
            s, city_first = s[found[0]:], city_first or found[1]
        if city_first:
            s = spec.lead_city.sub("", s, count=1)
    return s


def _prefix(s: str, spec: _MerchantSpec) -> tuple[int, bool] | None:
    """(end, city_follows) of the first prefix pattern, in file order, matching a non-empty start of s."""
    if spec.prefix_any is not None:
        m = spec.prefix_any.match(s)
        if m is None:
            return None
        if m.end() > 0:  # the first pattern that matches; an empty match is skipped: the loop below
            return m.end(), spec.prefixes[int(m.lastgroup[1:])][1]
    for pat, city_follows in spec.prefixes:
        m = pat.match(s)
        if m and m.end() > 0:
            return m.end(), city_follows
    return None


# Speed: the labels of one merchant differ mostly in what the steps above remove (card number, date), so
# the steps below are cached on the string left (they are a pure function of it), and the tail stripping
# (the cities alternation is tried after every space) on the string the noise steps leave.
@lru_cache(maxsize=1 << 16)
def _merchant_name(s: str) -> str | None:
    """Steps 4-7 of ``merchants.toml`` on a folded label without its prefix (see :func:`_merchant`)."""
    spec = _merchant_spec()
    s = spec.cut.sub("", s)
    s = " ".join(spec.noise.sub(" ", s).split())
    s = spec.processor.sub("", s).replace("*", " ")
    return _without_tail(" ".join(s.split()).strip(" ,-/."))


@lru_cache(maxsize=1 << 16)
def _without_tail(s: str) -> str | None:
    kept = _strip_tail(s, _merchant_spec().tail)
    return (kept or s) or None


def clear_caches() -> None:
    """Empty every per-label cache of this module (cold-cache benchmarks, tests that swap rule files)."""
    for f in (_kind, _merchant, _merchant_name, _without_tail, _default_category, _label_hint, rule_text):
        f.cache_clear()


def categorize(label_raw: str, kind: str, amount: Decimal, bank_category: str | None,
               rules: tuple[CategoryRule, ...] | None = None, *, merchant: str | None = None,
               account: str | None = None) -> tuple[str | None, str]:
    """(category, category_source): the first matching rule, else the bank's hint, else nothing."""
    if rules is None and merchant is None and account is None:
        cat = _default_category(_mask(label_raw), kind, amount < 0, abs(amount) if _bounded() else None)
    else:
        cat = match_rules(label_raw, kind, amount, rules if rules is not None else default_rules(),
                          merchant=merchant if merchant is not None else merchant_of(label_raw), account=account)
    if cat is not None:
        return cat, "rule"
    hint = bank_hint(bank_category) or _label_hint(_mask(label_raw))  # the bank's column, else its label
    if hint:
        return hint, "bank"
    return None, "none"


@cache
def _bounded() -> bool:
    return any(r.min_amount is not None or r.max_amount is not None for r in default_rules())


@lru_cache(maxsize=1 << 17)
def _default_category(masked: str, kind: str, debit: bool, size: Decimal | None) -> str | None:
    amount = -(size or Decimal(1)) if debit else (size or Decimal(0))
    return match_rules(masked, kind, amount, default_rules(), merchant=_merchant(masked))


def match_rules(label_raw: str, kind: str, amount: Decimal, rules: tuple[CategoryRule, ...], *,
                merchant: str | None = None, account: str | None = None) -> str | None:
    up = rule_text(fold(label_raw))
    for rule in rules:
        if rule.matches(up, kind, amount, merchant, account):
            return rule.category
    return None


def describe(label_raw: str, amount: Decimal, bank_category: str | None) -> tuple[str, str | None, str | None, str]:
    """(kind, merchant, category, category_source) of one row with the default rules, masking the label
    once (the hot path of ``normalize``)."""
    masked = _mask(label_raw)
    kind = _kind(masked)
    cat = _default_category(masked, kind, amount < 0, abs(amount) if _bounded() else None)
    if cat is not None:
        return kind, _merchant(masked), cat, "rule"
    hint = bank_hint(bank_category)
    if not hint:
        hint = _label_hint(masked) or hint
    return kind, _merchant(masked), hint, "bank" if hint else "none"
