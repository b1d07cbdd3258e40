"""The optional learned fallback: a text classifier trained on the user's own categorized history.

*What it learns from*: rows whose category came from an override or a rule (the user's or the default
taxonomy's), never from the bank's hint or from itself. *What it predicts for*: rows no override or rule
categorized. *When it abstains*: when its best class has a probability below ``threshold`` (default
:data:`DEFAULT_THRESHOLD`) -- a wrong category is worse than none, and the row then falls back to the
bank's hint or stays uncategorized.

Features are the normalized merchant without digits (character 2-4-grams and words) and one token for
kind and sign of the amount; a name whose character 3-4-grams are mostly unseen in the history is never predicted;
the classifier is a multinomial logistic regression (scikit-learn, the ``ml`` extra). Identical
(features, category) examples are collapsed into one weighted example, so training costs grow with the
number of distinct merchants, not with the number of rows.

Without scikit-learn, :func:`available` is False, :func:`train` returns ``None`` and nothing else changes:
categorization works with rules, overrides and bank hints only. Where the model runs (after every load,
as part of the categories refresh) is described in :mod:`pipeline.edits`.
"""
from __future__ import annotations

import importlib
import re
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from transforms.categorize import fold

_DIGITS = re.compile(r"\d+")

# 0.7: at 0.5 the model was right on 92.9% of the rows it answered (synthetic test split) and on 4 of 9 real
# labels no rule or hint categorized; at 0.7, 96.9% and 3 of 3 (benchmarks/README.md, issue 15)
DEFAULT_THRESHOLD = 0.7
#: fewer categorized examples (or fewer than two categories) than this: no model
MIN_EXAMPLES = 20
SEED = 0
#: share of a name's character 3-4-grams that must occur in the history for the model to answer
MIN_SEEN_SHARE = 0.5


def _sklearn() -> Any | None:
    """The scikit-learn modules we use, or None when the ``ml`` extra is not installed."""
    try:
        return (importlib.import_module("sklearn.feature_extraction.text"),
                importlib.import_module("sklearn.linear_model"),
                importlib.import_module("sklearn.pipeline"))
    except ImportError:
        return None


def available() -> bool:
    return _sklearn() is not None


def features(label_raw: str, merchant: str | None, kind: str | None, amount: Decimal | float | int) -> str:
    """One row as the text the model reads."""
    name = fold(merchant) if merchant else fold(label_raw)
    name = " ".join(_DIGITS.sub(" ", name).split())  # numbers (cheque numbers, refs) say nothing of a category
    return f"{name}\t{kind or 'other'}_{'debit' if amount < 0 else 'credit'}"


def _name(text: str) -> str:
    return text.split("\t", 1)[0]


def _words(text: str) -> str:
    return text.replace("\t", " ")


def _sign(text: str) -> str:
    return text.rsplit("_", 1)[-1]


@dataclass
class Model:
    pipeline: Any
    threshold: float
    classes: tuple[str, ...]
    examples: int
    #: per category, the signs ("debit"/"credit") it had in the history; a category is never predicted
    #: for a sign it never had (a credit from a shop is a refund, not spending at the shop)
    signs: dict[str, frozenset[str]] = field(default_factory=dict)

    def predict(self, texts: Sequence[str]) -> list[tuple[str | None, float]]:
        """(category or None when abstaining, confidence) per text."""
        if not texts:
            return []
        uniq = list(dict.fromkeys(texts))
        proba = self.pipeline.predict_proba(uniq)
        best = proba.argmax(axis=1)
        classes = self.pipeline.classes_
        # a name mostly made of character n-grams never seen in the history: the kind token alone would
        # decide -> abstain
        chars = self.pipeline[0].transformer_list[0][1]
        analyze, vocab = chars.build_analyzer(), chars.vocabulary_
        known = [_seen_share(analyze(t), vocab) >= MIN_SEEN_SHARE for t in uniq]
        if self.signs:
            allowed = np.array([[_sign(t) in self.signs.get(str(c), ()) for c in classes] for t in uniq])
            proba = np.where(allowed, proba, 0.0)
            best = proba.argmax(axis=1)
            known = [k and bool(a.any()) for k, a in zip(known, allowed, strict=True)]
        by_text = {}
        for text, i, row, seen in zip(uniq, best, proba, known, strict=True):
            conf = float(row[i]) if seen else 0.0
            by_text[text] = (str(classes[i]) if seen and conf >= self.threshold else None, conf)
        return [by_text[t] for t in texts]


def _seen_share(grams: list[str], vocab: dict[str, int]) -> float:
    long = [g for g in grams if len(g) >= 3]
    return sum(g in vocab for g in long) / len(long) if long else 0.0


def train(examples: Iterable[tuple[str, str]], *, threshold: float = DEFAULT_THRESHOLD,
          min_examples: int = MIN_EXAMPLES) -> Model | None:
    """A model from (features text, category) pairs; None without scikit-learn or with too little
    history to learn from."""
    sk = _sklearn()
    if sk is None:
        return None
    counts = Counter((t, c) for t, c in examples if c)
    n = sum(counts.values())
    if n < min_examples or len({c for _, c in counts}) < 2:
        return None
    text_mod, linear, pipeline_mod = sk
    pipe = pipeline_mod.make_pipeline(
        pipeline_mod.make_union(
            text_mod.TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                                     preprocessor=_name),
            text_mod.TfidfVectorizer(analyzer="word", token_pattern=r"[^ ]+", sublinear_tf=True,
                                     preprocessor=_words)),
        # no intercept: a row sharing nothing with the history gets flat probabilities (so the model
        # abstains) instead of the most frequent category
        linear.LogisticRegression(C=20.0, fit_intercept=False, max_iter=2000, random_state=SEED))
    keys = list(counts)
    texts = [t for t, _ in keys]
    cats = [c for _, c in keys]
    weights = [counts[k] for k in keys]
    with warnings.catch_warnings():  # collapsed examples: "many classes per sample" is expected
        warnings.simplefilter("ignore", UserWarning)
        pipe.fit(texts, cats, logisticregression__sample_weight=weights)
    signs: dict[str, set[str]] = {}
    for t, c in keys:
        signs.setdefault(c, set()).add(_sign(t))
    return Model(pipeline=pipe, threshold=threshold, classes=tuple(pipe.classes_), examples=n,
                 signs={c: frozenset(v) for c, v in signs.items()})
