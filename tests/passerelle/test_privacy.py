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


@pytest.mark.parametrize(
    "text",
    [
        "93200 Saint-Denis",
        "mon dernier jour c'était le 31 octobre",
        "aujourd'hui, je n'arrive plus à rien",
        "rendez-vous demain, merci.",
    ],
)
def test_aggressive_keeps_french_words_with_apostrophes_and_hyphens(text: str) -> None:
    # When the classifier wrongly says "credentials", an address or a date stays readable:
    # an apostrophe, a hyphen or a comma is no password symbol.
    assert mask_text(text, aggressive=True) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("voila Soleil-2024", "voila [masqué]"),
        ("mdp: Chat!Noir", "mdp: [masqué]"),
        ("c'est Marie#1980", "c'est [masqué]"),
    ],
)
def test_aggressive_still_masks_symbols_and_digits(text: str, expected: str) -> None:
    assert mask_text(text, aggressive=True) == expected


def test_mask_value_walks_nested_data() -> None:
    data = {"text": "mdp Secret99", "list": ["id 1234567A", 3], "n": None}
    assert mask_value(data) == {"text": "mdp [masqué]", "list": ["id [masqué]", 3], "n": None}


# --- masking v2: the normalised copy, keywords with fillers, the conversation -----------

from passerelle.names import CREDENTIALS_RESPONSE  # noqa: E402
from passerelle.privacy import (  # noqa: E402
    announces_secret,
    asks_for_secret,
    clearly_not_a_secret,
    mask_fragments,
    mask_message,
    normalise,
    secret_expected,
    secret_spans,
)

MASKED_V2 = [
    # Typographic apostrophe, no-break and narrow no-break spaces, zero-width characters.
    ("mon mot de passe c’est Soleil2024", "mon mot de passe c’est [masqué]"),
    ("mdp\u00a0:\u00a0Soleil2024", "mdp\u00a0:\u00a0[masqué]"),
    ("carte 4970\u202f1012\u202f3456\u202f7890", "carte [masqué]"),
    ("mon mdp c'est So\u200bleil2024 voilà", "mon mdp c'est [masqué]"),
    # Full-width digits and letters (NFKC).
    ("identifiant １２３４５６７Ａ", "identifiant [masqué]"),
    # Filler words between the keyword and the secret; several words up to the clause's end.
    ("mon mot de passe c'est bien le chat noir", "mon mot de passe c'est bien le [masqué]"),
    ("mon mot de passe est toujours S o l e i l 2 0 2 4", "mon mot de passe est toujours [masqué]"),
    ("mdp : je t'aime maman", "mdp : [masqué]"),
    (
        "mon mdp c'est soleil, et mon identifiant 1234567A",
        "mon mdp c'est [masqué], et mon identifiant [masqué]",
    ),
    ("my password is Sunshine!1", "my password is [masqué]"),
    ("le code reçu par sms est 482913", "le code reçu par sms est [masqué]"),
    (
        "code confidentiel de ma carte bleue : 1234",
        "code confidentiel de ma carte bleue : [masqué]",
    ),
    ("le code qu'on m'a envoyé c'est 558 214", "le code qu'on m'a envoyé c'est [masqué]"),
    ("mon code pin c'est un deux trois quatre", "mon code pin c'est [masqué]"),
    ("Soleil2024 c'est mon mot de passe", "[masqué] c'est mon mot de passe"),
    # Number-shaped secrets with any separator, spoken numbers as the kiosk sends them.
    ("123 45 67A", MASK),
    ("1234567-A", MASK),
    ("1 2 3 4 5 6 7 a", MASK),
    ("4970.1012.3456.7890 et le code derrière 321", "[masqué] et le code derrière [masqué]"),
    ("FR76-3000-6000-0112-3456-7890-189", MASK),
    ("+33 6 12 34 56 78", MASK),
    ("un deux trois quatre cinq six sept A", MASK),
    ("zéro six douze trente-quatre cinquante-six soixante-dix-huit", MASK),
    ("jean.dupont@gmail.com", MASK),
    ("jean point dupont arobase gmail point com", MASK),
]

KEPT_V2 = [
    "j'ai travaillé 35 heures pour 1 200 €",
    "1\u202f850,50 € brut",
    "mille deux cents euros",
    "151,67",
    "je suis en 2ème catégorie depuis mars 2025",
    "rendez-vous le 14/07/2026 à 14h30",
    "j'habite au 12 rue des Lilas 75011 Paris",
    "mon code postal est 69003",
    "le code ROME de mon métier c'est M1607",
    "mon mot de passe ne marche pas depuis le 3 janvier 2026",
    "mot de passe : oublié",
    "j'ai reçu un code par sms mais il ne marche pas",
    "Votre identifiant (7 chiffres et 1 lettre) vous sera demandé.",
    "Choisissez des mots de passe complexes.",
    "appelez le 3949",
]


@pytest.mark.parametrize(("text", "expected"), MASKED_V2)
def test_masking_v2(text: str, expected: str) -> None:
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", KEPT_V2)
def test_masking_v2_keeps_ordinary_text(text: str) -> None:
    assert mask_text(text) == text


def test_spans_of_the_normalised_copy_map_back_to_the_original() -> None:
    text = "ｍｄｐ\u00a0: Ｓｏｌｅｉｌ２０２４. Merci"
    copy = normalise(text)
    assert copy.text == "mdp : Soleil2024. Merci"
    assert [text[s:e] for s, e in secret_spans(text)] == ["Ｓｏｌｅｉｌ２０２４"]


def test_the_summary_link_is_never_masked() -> None:
    link = "https://aide.exemple.fr/resume/FR7630006000011234567890189-0612345678_x"
    assert mask_text(f"voici {link} merci") == f"voici {link} merci"
    assert mask_text(f"mdp: Soleil2024 {link}") == f"mdp: [masqué] {link}"


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        # Spaced digits alone are a number, even when the classifier doubts credentials
        # (aggressive): the kiosk writes the 3949 digit by digit.
        ("j'ai appelé le 3 9 4 9", "j'ai appelé le 3 9 4 9"),
        ("J'ai téléphoné au 39 49 hier", "J'ai téléphoné au 39 49 hier"),
        # The same digits as a code stay a secret.
        ("mon code c'est 3949", "mon code c'est [masqué]"),
        ("mon mot de passe est 3949", "mon mot de passe est [masqué]"),
        ("mon code 1 2 3 4", "mon code [masqué]"),
        ("S o l e i l 2 0 2 4", "[masqué]"),
    ],
)
def test_spaced_digits_are_a_number_not_a_spelled_secret(text: str, stored: str) -> None:
    assert mask_message(text, False, "disclose_credentials", 0.6, True).text == stored


def test_a_long_token_of_dashes_and_underscores_splits_one_way() -> None:
    # The printable summary's token has many "-" and "_": when the e-mail patterns took
    # them as separators too, they tried every split of it (seconds of CPU for one link;
    # with 40 pieces, never ending). One way to split it now: an ordinary call returns.
    token = "_".join(f"Ab{index}-x" for index in range(40))
    assert mask_text(f"voici /resume/{token} merci") == f"voici /resume/{token} merci"
    assert mask_text(f"{token} arobase gmail point com") == MASK
    assert mask_text(f"ecrivez a {token}@gmail.com") == f"ecrivez a {MASK}"


@pytest.mark.parametrize(
    ("text", "announces"),
    [
        ("je vais vous donner mon mot de passe", True),
        ("voici mon code", True),
        ("code pin", True),
        ("je vous envoie mon iban", True),
        ("mon mot de passe je vous le mets dans le prochain message", True),
        ("j'ai oublié mon mot de passe", False),
        ("comment changer mon mot de passe ?", False),
        ("voici mon code : [masqué]", False),
        ("mon code postal", False),
        ("bonjour", False),
    ],
)
def test_announcements(text: str, announces: bool) -> None:
    assert announces_secret(text) is announces


def test_credential_questions_and_the_warning_make_a_secret_expected() -> None:
    assert asks_for_secret("Quel est votre identifiant ?")
    assert not asks_for_secret("Ne donnez jamais votre mot de passe. Même pas à moi.")
    assert secret_expected(None, "Attention !", CREDENTIALS_RESPONSE)
    assert not secret_expected("bonjour", "Bonjour ! Que puis-je faire ?", "utter_greet")


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "clear"),
    [
        ("oui", "affirm", 0.99, True),
        ("35 heures", "inform", 0.9, True),
        ("comment je change mon mot de passe ?", "forgot_password", 0.97, True),
        ("lapin bleu", "greet", 0.99, False),  # two words: maybe a passphrase
        ("Maison 75 rouge", "greet", 0.99, False),  # digits: maybe a code
        ("je veux parler à quelqu'un", "human_handoff", 0.6, False),  # unsure
        ("Soleil2024", "affirm", 0.99, False),
    ],
)
def test_what_is_clearly_no_secret(text: str, intent: str, confidence: float, clear: bool) -> None:
    assert clearly_not_a_secret(text, intent, confidence) is clear


def test_an_expected_secret_is_masked_whole_and_its_pieces_chased() -> None:
    result = mask_message("lapin bleu 2019", secret_expected=True)
    assert result.text == MASK and result.whole
    assert mask_fragments("Vous avez dit Lapin Bleu ? 2 019", result.fragments) == (
        "Vous avez dit [masqué] ? [masqué]"
    )
    assert mask_message("oui", secret_expected=True, intent="affirm", confidence=0.99).text == "oui"
