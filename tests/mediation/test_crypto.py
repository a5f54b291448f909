"""The sealing primitives, with real AES-256-GCM and SM4-GCM, HMAC-SHA256 and HMAC-SM3
(mediation/crypto.py is pure). Every envelope test runs for both suites."""

from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mediation import crypto

SUITES = [crypto.SUITES["aes"], crypto.SUITES["sm"]]


@pytest.fixture(params=SUITES, ids=lambda suite: suite.name)
def suite(request):
    return request.param


@pytest.fixture
def ring(suite):
    return crypto.new_ring(suite, key_id="a", audit_id="audit")


def data_key(suite):
    return crypto.new_key(suite.cipher)


def test_a_sealed_value_opens_with_its_own_key_and_place(suite):
    key = data_key(suite)
    aad = crypto.aad_for("mediation_sessionnote", "u-1", "body")

    blob = crypto.seal_text(key, "示例笔记：双方同意继续沟通", aad=aad)

    assert crypto.open_text(key, blob, aad=aad) == "示例笔记：双方同意继续沟通"
    assert "示例笔记".encode() not in blob
    assert blob[:2] == bytes([crypto.FORMAT_V1, suite.cipher.code])
    assert crypto.cipher_of_value(blob) == suite.cipher


@pytest.mark.parametrize(
    "other_place",
    [
        ("mediation_sessionnote", "u-2", "body"),
        ("mediation_sessionnote", "u-1", "assessment"),
        ("mediation_party", "u-1", "body"),
    ],
    ids=["another row", "another field", "another table"],
)
def test_a_value_moved_to_another_row_field_or_table_fails_to_open(suite, other_place):
    key = data_key(suite)
    blob = crypto.seal_text(key, "秘密", aad=crypto.aad_for("mediation_sessionnote", "u-1", "body"))

    with pytest.raises(crypto.IntegrityFailure):
        crypto.open_text(key, blob, aad=crypto.aad_for(*other_place))


@pytest.mark.parametrize("position", [1, 5, -5], ids=["algorithm byte", "nonce", "tag"])
def test_a_flipped_byte_fails_and_never_returns_text(suite, position):
    key = data_key(suite)
    aad = crypto.aad_for("t", "u", "f")
    blob = bytearray(crypto.seal_text(key, "秘密", aad=aad))
    blob[position] ^= 0x01 if position != 1 else 0x03  # AES <-> SM4 for the algorithm byte

    with pytest.raises((crypto.IntegrityFailure, crypto.UnsupportedFormat)):
        crypto.open_text(key, bytes(blob), aad=aad)


def test_a_wrong_key_fails(suite):
    aad = crypto.aad_for("t", "u", "f")
    blob = crypto.seal_text(data_key(suite), "秘密", aad=aad)

    with pytest.raises(crypto.IntegrityFailure):
        crypto.open_text(data_key(suite), blob, aad=aad)


def test_a_value_of_one_cipher_does_not_open_with_a_key_of_the_other():
    aad = crypto.aad_for("t", "u", "f")
    blob = crypto.seal_text(crypto.new_key(crypto.SM4_GCM), "秘密", aad=aad)

    with pytest.raises(crypto.IntegrityFailure):
        crypto.open_text(crypto.new_key(crypto.AES_256_GCM), blob, aad=aad)


def test_an_unknown_format_is_named_as_such(suite):
    key = data_key(suite)
    blob = bytearray(crypto.seal_text(key, "x", aad=b"a"))
    blob[0] = 0x09

    with pytest.raises(crypto.UnsupportedFormat):
        crypto.open_text(key, bytes(blob), aad=b"a")


def test_sm4_gcm_is_the_standard_cipher():
    """GB/T 32907 test vector (key and plaintext 0123456789abcdeffedcba9876543210): the SM4
    block the GCM mode is built on, so a deployment can show it is the national algorithm."""
    vector = bytes.fromhex("0123456789abcdeffedcba9876543210")
    encryptor = Cipher(algorithms.SM4(vector), modes.ECB()).encryptor()

    assert (encryptor.update(vector) + encryptor.finalize()).hex() == (
        "681edf34d206965e86b3e94f536e4246"
    )


def test_a_data_key_unwraps_only_for_its_row_and_with_a_loaded_key(ring, suite):
    key = crypto.new_data_key(ring)
    key_id, wrapped = crypto.wrap_data_key(ring, key, context=b"mediation_party|u-1")

    assert len(key) == suite.cipher.key_bytes
    assert crypto.cipher_of_value(wrapped) == suite.cipher
    assert crypto.unwrap_data_key(ring, key_id, wrapped, context=b"mediation_party|u-1") == key
    with pytest.raises(crypto.IntegrityFailure):
        crypto.unwrap_data_key(ring, key_id, wrapped, context=b"mediation_party|u-2")
    with pytest.raises(crypto.KeyUnavailable):
        crypto.unwrap_data_key(ring, "gone", wrapped, context=b"mediation_party|u-1")


def test_a_mixed_ring_opens_old_aes_rows_while_new_rows_are_sm4():
    aes = crypto.new_ring(crypto.SUITES["aes"], key_id="old", audit_id="audit")
    old_key = crypto.new_data_key(aes)
    _, old_wrapped = crypto.wrap_data_key(aes, old_key, context=b"t|1")
    mixed = aes.with_master_key("new", crypto.new_key(crypto.SM4_GCM), crypto.SM4_GCM)

    new_key = crypto.new_data_key(mixed)
    new_id, new_wrapped = crypto.wrap_data_key(mixed, new_key, context=b"t|2")

    assert crypto.unwrap_data_key(mixed, "old", old_wrapped, context=b"t|1") == old_key
    assert (new_id, len(new_key), crypto.cipher_of_value(new_wrapped)) == (
        "new",
        16,
        crypto.SM4_GCM,
    )
    assert mixed.validate(crypto.SUITES["sm"]) == [
        "the suite is 'sm' (hmac-sm3) but the active audit key 'audit' is hmac-sha256"
    ]


def test_ring_validation_names_every_problem():
    bad = crypto.KeyRing(
        keys={"a": bytes(16), "b": bytes(16)}, active_id="c", blind_index_key=bytes(16)
    )

    problems = " ".join(bad.validate())

    assert "is 16 bytes" in problems
    assert "same master key" in problems
    assert "'c' is not in the ring" in problems
    assert "blind-index key" in problems
    assert "no audit key" in problems


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"audit_keys": {}, "audit_active_id": ""}, "holds no audit key"),
        ({"audit_active_id": "elsewhere"}, "active audit key id 'elsewhere' is not in the ring"),
        ({"audit_keys": {"audit": bytes(16)}}, "audit key 'audit' is 16 bytes"),
        ({"audit_keys": {"audit": bytes(range(32))}}, "audit key 'audit' equals a master key"),
        (
            {"audit_keys": {"audit": bytes(range(32, 64))}},
            "audit key 'audit' equals the blind-index key",
        ),
        (
            {
                "audit_keys": {"audit": bytes([5]) * 32, "audit-2": bytes([5]) * 32},
                "audit_algorithms": {},
            },
            "two audit key ids hold the same key",
        ),
    ],
    ids=["missing", "active missing", "short", "a master key", "the blind-index key", "twice"],
)
def test_an_audit_key_missing_or_equal_to_another_key_is_refused(change, problem):
    ring = crypto.KeyRing(
        keys={"a": bytes(range(32))},
        active_id="a",
        blind_index_key=bytes(range(32, 64)),
        audit_keys={"audit": bytes(range(64, 96))},
        audit_active_id="audit",
    )

    assert ring.validate() == []
    assert any(problem in found for found in replace(ring, **change).validate())


def test_a_ring_whose_active_keys_are_not_of_the_suite_is_refused():
    ring = crypto.new_ring(crypto.SUITES["aes"], key_id="a", audit_id="audit")

    problems = ring.validate(crypto.SUITES["sm"])

    assert len(problems) == 2
    assert "active key 'a' is aes-256-gcm" in problems[0]


def test_an_sm4_key_of_the_wrong_length_is_named():
    ring = crypto.KeyRing(
        keys={"a": bytes(32)},
        algorithms={"a": "sm4-gcm"},
        active_id="a",
        blind_index_key=bytes([2]) * 32,
        audit_keys={"audit": bytes([3]) * 32},
        audit_active_id="audit",
    )

    assert "master key 'a' is 32 bytes, not 16 (sm4-gcm)" in ring.validate()


def test_a_key_file_round_trips_algorithms_and_audit_keys(ring, suite):
    again = crypto.KeyRing.from_json(ring.to_json())

    assert again == ring
    assert again.cipher("a") == suite.cipher
    assert again.audit_key("audit")[0] == suite.mac


def test_an_older_key_file_reads_as_aes_without_an_audit_key():
    key, index = "A" * 43 + "=", "B" * 43 + "="
    ring = crypto.KeyRing.from_json(
        f'{{"active": "a", "keys": {{"a": "{key}"}}, "blind_index": "{index}"}}'
    )

    assert ring.cipher("a") == crypto.AES_256_GCM
    assert ring.validate() == ["the key ring holds no audit key"]


def test_a_key_file_with_a_repeated_id_is_refused():
    a, b, c = "A" * 43 + "=", "B" * 43 + "=", "C" * 43 + "="
    text = f'{{"active": "a", "keys": {{"a": "{a}", "a": "{b}"}}, "blind_index": "{c}"}}'

    ring = crypto.KeyRing.from_json(text)

    assert any("appears twice" in problem for problem in ring.validate())


def test_the_blind_index_is_keyed_and_names_its_algorithm(suite):
    one = crypto.blind_index(bytes(32), "11010519491231002X", suite.mac)
    other = crypto.blind_index(bytes([1]) * 32, "11010519491231002X", suite.mac)

    assert one != other
    assert crypto.blind_index_algorithm(one) == suite.mac
    assert len(one) <= 64  # the column's width


def test_hmac_sm3_and_hmac_sha256_differ_and_are_32_bytes():
    sha, sm3 = (crypto.mac(name, bytes(32), b"x") for name in crypto.MACS)

    assert len(sha) == len(sm3) == 32
    assert sha != sm3
