"""``bankflow categorize``: manual overrides, user rules and the categories refresh (registered on the
main app in flows/cli/__init__.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from connectors.errors import BankflowError
from flows.cli.common import DataDirOpt, console, fail, out


def categorize(
    args: Annotated[Optional[list[str]], typer.Argument(
        metavar="[TXN_ID] [CATEGORY]", help="TXN_ID CATEGORY sets an override; with --merchant/--label: CATEGORY.")] = None,
    data_dir: DataDirOpt = Path("data"),
    merchant: Annotated[Optional[str], typer.Option(
        "--merchant", help="Add a rule to <data-dir>/rules.toml: merchants matching this regex get CATEGORY.")] = None,
    label: Annotated[Optional[str], typer.Option(
        "--label", help="Add a rule: raw labels matching this regex get CATEGORY.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove TXN_ID's override.")] = False,
    no_model: Annotated[bool, typer.Option("--no-model", help="Do not run the learned fallback.")] = False,
    list_: Annotated[bool, typer.Option("--list", help="Print the known categories (taxonomy plus your rules') and stop.")] = False,
) -> None:
    """Set a transaction's category (an override that survives rebuilds, kept in <data-dir>/overrides.csv),
    add a rule of yours (<data-dir>/rules.toml), then re-apply overrides, rules and the learned fallback.
    With no argument: only re-apply, and print where categories come from."""
    from pipeline.edits import add_override, add_rule, refresh
    from pipeline.datadir import DataDir

    args = args or []
    dd = DataDir(data_dir)
    if list_:
        from pipeline.edits import known_categories

        for name in known_categories(dd.root):
            out.print(name, markup=False, highlight=False)
        return
    if not dd.warehouse_path.exists():
        console.print(f"[red]error:[/red] no warehouse at {dd.warehouse_path}; run `bankflow sync` or `bankflow demo` first")
        raise typer.Exit(2)
    try:
        with dd.open_warehouse() as wh:
            if merchant or label:
                if len(args) != 1 or clear:
                    _usage("with --merchant/--label give exactly one CATEGORY")
                rule = add_rule(dd.root, args[0], merchant=merchant, label=label)
                out.print(f"rule added to {dd.root / 'rules.toml'}: {rule.category}")
            elif args or clear:
                if clear and len(args) != 1 or not clear and len(args) != 2:
                    _usage("give TXN_ID CATEGORY, or TXN_ID --clear")
                txn_id = args[0]
                if not wh.fetch("find_transaction.sql", [txn_id]):
                    console.print(f"[red]error:[/red] no transaction {txn_id!r} in marts.transactions "
                                  "(see `bankflow query \"SELECT txn_id, label_raw FROM marts.transactions\"`)")
                    raise typer.Exit(2)
                add_override(dd.root, txn_id, None if clear else args[1])
            res = refresh(dd.root, wh, use_model=not no_model)
            if args and not (merchant or label):
                row = wh.fetch("find_transaction.sql", [args[0]])[0]
                out.print(f"{row[0]}  {row[1]}  {row[2]}  {row[3]}  ->  {row[5] or '-'} ({row[6]})")
            sources = wh.fetch("category_sources.sql")
    except BankflowError as exc:
        fail(exc)
    t = Table(title="where categories come from")
    t.add_column("category_source")
    t.add_column("transactions", justify="right")
    for src, n in sources:
        t.add_row(str(src), str(n))
    out.print(t)
    out.print(f"overrides {res.overrides}, rows matched by your rules {res.user_rule_rows}, "
              f"model: {res.model_status} ({res.model_rows} rows categorized)")


def _usage(msg: str) -> None:
    console.print(f"[red]error:[/red] {msg}. Examples:\n  bankflow categorize 3f2a...9c 'Alimentation:Supermarché'\n"
                  "  bankflow categorize --merchant 'LE PETIT ZINC' 'Alimentation:Restaurants et cafés'\n"
                  "  bankflow categorize 3f2a...9c --clear")
    raise typer.Exit(2)


COMMANDS = {"categorize": categorize}
