"""Keyed hashes instead of identifiers."""

from __future__ import annotations

import pytest

from listener.identifiers import HashKeyMissing, IdentifierHasher, canonical_url


def test_listener_identifiers_canonical_url():
    assert canonical_url("HTTPS://Forum.Example.NL:443/t/1?page=2#p5") == (
        "https://forum.example.nl/t/1?page=2#p5"
    )
    assert canonical_url("http://127.0.0.1:8080") == "http://127.0.0.1:8080/"


def test_listener_identifiers_hashes_depend_on_the_key(hasher):
    other = IdentifierHasher(b"another-key-1234567")
    url = "https://forum.example.nl/t/1#p5"
    assert hasher.url(url) == hasher.url("https://Forum.Example.NL/t/1#p5")  # host case
    assert hasher.url(url) != other.url(url)
    assert hasher.content("Huur  TE laat!") == hasher.content("huur te laat")


@pytest.mark.parametrize(("value", "message"), [
    (None, "OPENDEUR_HASH_KEY is not set"),
    ("", "OPENDEUR_HASH_KEY is not set"),
    ("kort", "OPENDEUR_HASH_KEY is too short"),
])  # fmt: skip
def test_listener_identifiers_key_must_be_set_and_long(value, message):
    with pytest.raises(HashKeyMissing, match=message):
        IdentifierHasher.from_secret(value, "OPENDEUR_HASH_KEY")
