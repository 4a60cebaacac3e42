"""Masking of secrets in what people write."""

import pytest

from passerelle.privacy import MASK, mask_text, mask_value

MASKED = [
    ("mon mot de passe c'est Soleil2024!", "mon mot de passe c'est [masqué]"),
    ("mon mot de passe est soleil", "mon mot de passe est [masqué]"),
    ("mon mdp soleil2024", "mon mdp [masqué]"),
    ("MDP : Azerty12", "MDP : [masqué]"),
    ('mon mdp: "abc"', 'mon mdp: "[masqué]"'),
    ("mon code est 840156", "mon code est [masqué]"),
    ("password = hunter2", "password = [masqué]"),
    ("mon identifiant 1234567A", "mon identifiant [masqué]"),
    ("c'est 6106850F pour l'agence", "c'est [masqué] pour l'agence"),
    ("identifiant: 1234567 b", "identifiant: [masqué]"),
    ("mon identifiant c'est pierredupont", "mon identifiant c'est [masqué]"),
    ("ma carte 4970 1012 3456 7890", "ma carte [masqué]"),
    ("carte 4970-1012-3456-7890 exp 12/27", "carte [masqué] exp 12/27"),
    ("4970101234567890", MASK),
    ("iban FR76 3000 6000 0112 3456 7890 189", "iban [masqué]"),
    ("FR7630006000011234567890189 merci", "[masqué] merci"),
    ("secu 1 85 05 78 006 084 36", "secu [masqué]"),
    ("mon numero de secu 185057800608436", "mon numero de secu [masqué]"),
    (
        "j ai un numero de securite sociale 2 85 05 2A 006 084",
        "j ai un numero de securite sociale [masqué]",
    ),
    # Contact data: counsellors do not need it in a log.
    ("appelez le 06 12 34 56 78", "appelez le [masqué]"),
]

KEPT = [
    "j'ai oublié mon mot de passe",
    "mot de passe oublié",
    "mon mot de passe est oublié",
    "mon mot de passe ne marche pas",
    "j ai oublie mon identifiant",
    "35 heures pour 1200 euros",
    "mille deux cents euros brut",
    "j'ai travaillé 151,67 heures",
    "du 12/02/2026 au 20/02/2026",
    "le 3949",
    "mon code postal",
    "",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_secrets_are_masked(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_text_is_kept(text: str) -> None:
    assert mask_text(text) == text


def test_aggressive_masks_password_like_words() -> None:
    text = "voila Soleil2024! et aussi pierreDUPONT76&"
    assert mask_text(text) == text
    assert mask_text(text, aggressive=True) == "voila [masqué] et aussi [masqué]"


def test_mask_value_walks_nested_data() -> None:
    data = {"text": "mdp Secret99", "list": ["id 1234567A", 3], "n": None}
    assert mask_value(data) == {"text": "mdp [masqué]", "list": ["id [masqué]", 3], "n": None}
