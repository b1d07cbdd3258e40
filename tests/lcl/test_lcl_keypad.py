"""PIN encoding (reference/lcl.md §2, in ../shared): worked examples and a property test over every kind of keypad."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.errors import ProtocolChanged
from connectors.lcl.keypad import Keypad, build_keypad

DIGITS = "0123456789"
key_orders = st.permutations(list(DIGITS)).map("".join)
seed_texts = st.text(alphabet="0123456789abcdef", min_size=1, max_size=120)
pins = st.text(alphabet=DIGITS, min_size=6, max_size=6)


def test_reference_short_example() -> None:
    kp = Keypad.decode("637353933383031343236613167336035653")
    assert kp.key_order == "2410839576"
    assert kp.seed == "6613167336035653"
    assert kp.encode_pin("123456") == "9373135303236613167336035653"


def test_seed_sample_key_segment_decodes_as_the_reference_says() -> None:
    assert Keypad.decode("13236373539383433303" + "3336").key_order == "0348957621"


@given(key_orders, seed_texts, pins)
def test_encode_then_decode_gives_the_pin_back_for_every_keypad(order: str, seed: str, pin: str) -> None:
    keypad = build_keypad(order, seed)
    assert keypad.isdigit()  # hex of 0-9a-f characters holds only decimal digits
    kp = Keypad.decode(keypad)
    assert kp.key_order == order
    payload = kp.encode_pin(pin)
    assert len(payload) == 12 + len(kp.seed) and payload.endswith(kp.seed)
    assert kp.decode_payload(payload) == pin


@given(key_orders, seed_texts, pins)
def test_seed_description_gives_identical_bytes(order: str, seed: str, pin: str) -> None:
    """The SEED's formulation: reverse(hex(SEEDTEXT + M)) where M holds the button indices."""
    keypad = build_keypad(order, seed)
    mapped = "".join(str(order.index(d)) for d in pin)
    seed_view = "".join(f"{ord(c):02x}" for c in seed + mapped)[::-1]
    assert Keypad.decode(keypad).encode_pin(pin) == seed_view


@given(key_orders, seed_texts, pins, pins)
def test_another_pin_never_decodes_as_the_pin(order: str, seed: str, pin: str, other: str) -> None:
    kp = Keypad.decode(build_keypad(order, seed))
    assert (kp.decode_payload(kp.encode_pin(other)) == pin) == (other == pin)


@pytest.mark.parametrize("bad", ["", "12ab", "6373539333830313432", "9" * 40, "30" * 10 + "3132"])
def test_unknown_keypad_shapes_are_protocol_changes(bad: str) -> None:
    with pytest.raises(ProtocolChanged):
        Keypad.decode(bad)


def test_pin_must_be_six_digits_and_the_message_does_not_echo_it() -> None:
    kp = Keypad.decode("637353933383031343236613167336035653")
    with pytest.raises(ValueError) as err:
        kp.encode_pin("98765")
    assert "98765" not in str(err.value)
