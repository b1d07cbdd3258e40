"""JSON replies of the LCL simulator, in the bank's shapes (``{"code", "message"}`` errors).

Amounts go out as JSON numbers (the bank's shape); they are written from two-decimal Decimals, whose
shortest float repr is the same decimal text, so no cent is lost on the wire.
"""
from __future__ import annotations

import json
from decimal import Decimal

from aiohttp import web


def reply(data: object, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))


def error(status: int, code: str, message: str) -> web.Response:
    return reply({"code": code, "message": message}, status)


def amount(value: Decimal) -> float:
    return float(value)  # exact for two-decimal values (module docstring)
