"""LCL keypad decoding and PIN encoding (reference/lcl.md §2, in ../shared). Pure functions, no I/O.

``keypad = reverse(hex(SEEDTEXT + KEYORDER))``: the first 20 digits are the reversed hex of KEYORDER (the digits
in keypad-button order), the rest (``S``) the reversed hex of SEEDTEXT. The login payload for a PIN is
``reverse(hex(M)) + S`` where ``M`` holds, for each PIN digit, the index of its button in KEYORDER.
The encoding is obfuscation, not cryptography: the PIN is recoverable from the payload and the keypad, so the
payload is a secret too (never logged).
"""
from __future__ import annotations

from dataclasses import dataclass

from connectors.errors import ProtocolChanged

KEY_SEGMENT = 20  # 10 characters, hex-encoded


def _hex(text: str) -> str:
    return "".join(f"{ord(c):02x}" for c in text)


def _unhex(digits: str) -> str:
    if len(digits) % 2:
        raise ValueError("odd number of hex digits")
    return "".join(chr(int(digits[i:i + 2], 16)) for i in range(0, len(digits), 2))


@dataclass(frozen=True, slots=True)
class Keypad:
    """A decoded keypad: ``key_order[i]`` is the digit shown on button ``i``; ``seed`` is ``keypad[20:]``."""

    key_order: str
    seed: str

    @classmethod
    def decode(cls, keypad: str) -> "Keypad":
        """Decode the ``keypad`` string of ``GET /api/login/keypad``. A shape we do not know means the bank
        changed its login: :class:`ProtocolChanged` (never guess, a wrong guess burns a PIN attempt)."""
        if not keypad.isdigit() or len(keypad) <= KEY_SEGMENT or len(keypad) % 2:
            raise ProtocolChanged(f"LCL keypad: expected an even-length digit string longer than {KEY_SEGMENT} "
                                  f"characters, got {len(keypad)} characters")
        try:
            order = _unhex(keypad[:KEY_SEGMENT][::-1])
        except ValueError:
            raise ProtocolChanged("LCL keypad: key segment is not hex text") from None
        if sorted(order) != list("0123456789"):
            raise ProtocolChanged("LCL keypad: key segment is not a permutation of the ten digits")
        return cls(key_order=order, seed=keypad[KEY_SEGMENT:])

    def encode_pin(self, pin: str) -> str:
        """The ``keypad`` field of the login body for ``pin`` (6 digits)."""
        if len(pin) != 6 or not pin.isdigit():
            raise ValueError("the LCL password is a 6-digit PIN")  # no value in the message
        mapped = "".join(str(self.key_order.index(d)) for d in pin)
        return _hex(mapped)[::-1] + self.seed

    def decode_payload(self, payload: str) -> str | None:
        """Inverse of :meth:`encode_pin` (used by the simulator and the property test): the PIN, or None when
        the payload does not belong to this keypad or is malformed."""
        head, tail = payload[:12], payload[12:]
        if len(payload) != 12 + len(self.seed) or tail != self.seed or not head.isdigit():
            return None
        try:
            indices = _unhex(head[::-1])
        except ValueError:
            return None
        if not all(c in "0123456789" for c in indices):
            return None
        return "".join(self.key_order[int(c)] for c in indices)


def build_keypad(key_order: str, seed_text: str) -> str:
    """The keypad string the bank sends for a button order and a lower-case hex seed text (simulator side)."""
    if sorted(key_order) != list("0123456789"):
        raise ValueError("key_order must be a permutation of 0-9")
    if any(c not in "0123456789abcdef" for c in seed_text):
        raise ValueError("seed_text must be lower-case hex")
    return _hex(seed_text + key_order)[::-1]
