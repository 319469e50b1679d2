"""Export as TOML: every text survives the trip through a TOML reader."""

from __future__ import annotations

import tomllib

import pytest

from campaigns.transfer import toml_text


@pytest.mark.parametrize(
    "text",
    [
        "Bel ons.",
        'Zeg "nee".',
        "Een \\ en een \\n",
        "Regel een\nregel twee\n",
        'Eindigt op een aanhalingsteken"',
        'Drie """ op een rij\nen verder',
        "Tab\tcarriage\r\nreturn\x7f en \x00",
        "Café € 🏠\n\\u00e9",
        "\n",
    ],
)
def test_campaigns_transfer_text_survives_toml(text: str):
    assert tomllib.loads(f"value = {toml_text(text)}\n")["value"] == text
