"""The sealing primitives, with real AES-256-GCM (mediation/crypto.py is pure)."""

import pytest

from mediation import crypto

RING = crypto.KeyRing(
    keys={"a": bytes(32), "b": bytes([1]) * 32}, active_id="a", blind_index_key=bytes([2]) * 32
)


def test_a_sealed_value_opens_with_its_own_key_and_place():
    key = crypto.new_key()
    aad = crypto.aad_for("mediation_sessionnote", "u-1", "body")

    blob = crypto.seal_text(key, "示例笔记：双方同意继续沟通", aad=aad)

    assert crypto.open_text(key, blob, aad=aad) == "示例笔记：双方同意继续沟通"
    assert "示例笔记".encode() not in blob


@pytest.mark.parametrize(
    "other_place",
    [
        ("mediation_sessionnote", "u-2", "body"),
        ("mediation_sessionnote", "u-1", "assessment"),
        ("mediation_party", "u-1", "body"),
    ],
    ids=["another row", "another field", "another table"],
)
def test_a_value_moved_to_another_row_field_or_table_fails_to_open(other_place):
    key = crypto.new_key()
    blob = crypto.seal_text(key, "秘密", aad=crypto.aad_for("mediation_sessionnote", "u-1", "body"))

    with pytest.raises(crypto.IntegrityFailure):
        crypto.open_text(key, blob, aad=crypto.aad_for(*other_place))


def test_a_flipped_byte_fails_and_never_returns_text():
    key = crypto.new_key()
    aad = crypto.aad_for("t", "u", "f")
    blob = bytearray(crypto.seal_text(key, "秘密", aad=aad))
    blob[-5] ^= 0x01

    with pytest.raises(crypto.IntegrityFailure):
        crypto.open_text(key, bytes(blob), aad=aad)


def test_a_wrong_key_fails():
    aad = crypto.aad_for("t", "u", "f")
    blob = crypto.seal_text(crypto.new_key(), "秘密", aad=aad)

    with pytest.raises(crypto.IntegrityFailure):
        crypto.open_text(crypto.new_key(), blob, aad=aad)


def test_an_unknown_format_is_named_as_such():
    key = crypto.new_key()
    blob = bytearray(crypto.seal_text(key, "x", aad=b"a"))
    blob[0] = 0x09

    with pytest.raises(crypto.UnsupportedFormat):
        crypto.open_text(key, bytes(blob), aad=b"a")


def test_a_data_key_unwraps_only_for_its_row_and_with_a_loaded_key():
    data_key = crypto.new_key()
    key_id, wrapped = crypto.wrap_data_key(RING, data_key, context=b"mediation_party|u-1")

    assert crypto.unwrap_data_key(RING, key_id, wrapped, context=b"mediation_party|u-1") == data_key
    with pytest.raises(crypto.IntegrityFailure):
        crypto.unwrap_data_key(RING, key_id, wrapped, context=b"mediation_party|u-2")
    with pytest.raises(crypto.KeyUnavailable):
        crypto.unwrap_data_key(RING, "gone", wrapped, context=b"mediation_party|u-1")


def test_ring_validation_names_every_problem():
    bad = crypto.KeyRing(
        keys={"a": bytes(16), "b": bytes(16)}, active_id="c", blind_index_key=bytes(16)
    )

    problems = " ".join(bad.validate())

    assert "is 16 bytes" in problems
    assert "same master key" in problems
    assert "'c' is not in the ring" in problems
    assert "blind-index key" in problems


def test_a_key_file_with_a_repeated_id_is_refused():
    a, b, c = "A" * 43 + "=", "B" * 43 + "=", "C" * 43 + "="
    text = f'{{"active": "a", "keys": {{"a": "{a}", "a": "{b}"}}, "blind_index": "{c}"}}'

    ring = crypto.KeyRing.from_json(text)

    assert any("appears twice" in problem for problem in ring.validate())


def test_the_blind_index_is_keyed():
    one = crypto.blind_index(bytes(32), "11010519491231002X")
    other = crypto.blind_index(bytes([1]) * 32, "11010519491231002X")

    assert one != other and len(one) == 64
