"""LCL (Crédit Lyonnais): the ``monespace.lcl.fr`` JSON API, with PDF statements for history the API gates.

``client.py`` (network), ``keypad.py`` (PIN encoding), ``parse.py`` (pure parsers), ``simulator/`` (the bank).
"""
from connectors.base import ConnectorSpec
from connectors.statements import statement_sniffer

from .client import LclConnector
from .parse import parse
from .simulator import start_sandbox

SPEC = ConnectorSpec(bank="lcl", title="LCL", client=LclConnector, parse=parse,
                     credential_fields=("login", "password"), start_sandbox=start_sandbox,
                     sniff_import=statement_sniffer("lcl"))
