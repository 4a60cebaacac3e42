"""The speech normaliser: what espeak-ng is given to read."""

from __future__ import annotations

import pytest

from voice.normalize import choices_prompt, normalize_for_speech, number_to_words


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "zéro"),
        (1, "un"),
        (16, "seize"),
        (17, "dix-sept"),
        (21, "vingt et un"),
        (35, "trente-cinq"),
        (71, "soixante et onze"),
        (80, "quatre-vingts"),
        (81, "quatre-vingt-un"),
        (99, "quatre-vingt-dix-neuf"),
        (200, "deux cents"),
        (250, "deux cent cinquante"),
        (1000, "mille"),
        (1200, "mille deux cents"),
        (2025, "deux mille vingt-cinq"),
        (80000, "quatre-vingt mille"),
        (1_000_000, "un million"),
    ],
)
def test_number_to_words(number: int, words: str) -> None:
    assert number_to_words(number) == words


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        # Euros.
        ("Votre salaire : 1 200 €.", "Votre salaire : mille deux cents euros."),
        ("1 234,50 €", "mille deux cent trente-quatre euros cinquante."),
        ("Il reste 1 €", "Il reste un euro."),
        ("€ 40", "quarante euros."),
        # Phone numbers in pairs.
        ("Appelez le 3949.", "Appelez le trente-neuf quarante-neuf."),
        (
            "Tél : 01 23 45 67 89",
            "Téléphone : zéro un vingt-trois quarante-cinq soixante-sept quatre-vingt-neuf.",
        ),
        ("0612345678", "zéro six douze trente-quatre cinquante-six soixante-dix-huit."),
        # Dates and times as words.
        ("Du 28/03/2025 au 15/04.", "Du vingt-huit mars deux mille vingt-cinq au quinze avril."),
        ("Le 01/05/2026", "Le premier mai deux mille vingt-six."),
        ("Le 2024-11-12", "Le douze novembre deux mille vingt-quatre."),
        ("Le 1er du mois", "Le premier du mois."),
        ("Invalidité de 2ème ou 3e catégorie", "Invalidité de deuxième ou troisième catégorie."),
        (
            "Le 21e, le 5e, le 9ème, le 80e",
            "Le vingt et unième, le cinquième, le neuvième, le quatre-vingtième.",
        ),
        ("Rendez-vous à 14h30", "Rendez-vous à quatorze heures trente."),
        ("J'ai travaillé 35 h", "J'ai travaillé trente-cinq heures."),
        # Web addresses spoken sensibly.
        ("Allez sur francetravail.fr", "Allez sur France Travail point F R."),
        (
            "Voir <https://www.cybermalveillance.gouv.fr>",
            "Voir cybermalveillance point gouv point F R.",
        ),
        ("https://www.francetravail.fr/", "France Travail point F R."),
        # Keyboard shortcuts spoken as keys.
        (
            "Faites Ctrl+Maj+Suppr",
            "Faites les touches Contrôle, Majuscule et Suppression en même temps.",
        ),
        ("Ctrl + Maj + Suppr", "les touches Contrôle, Majuscule et Suppression en même temps."),
        # Markup and emoji are never read.
        ("**Important** : 👉 déconnectez-vous ✅", "Important : déconnectez-vous."),
        ("[Aide](https://exemple.fr) 😀", "Aide."),
        ("<b>Attention</b> !", "Attention !"),
        ("- Votre nom\n- Votre mot de passe", "Votre nom. Votre mot de passe."),
        ("## Titre\nTexte", "Titre. Texte."),
        (
            "Appelez le 3949 (service gratuit).",
            "Appelez le trente-neuf quarante-neuf, service gratuit.",
        ),
        (
            "Cliquez sur « Transmettre » (« Envoyer »).\nMon Espace - France Travail",
            "Cliquez sur Transmettre, Envoyer. Mon Espace, France Travail.",
        ),
        # Numbers, feminine one, percentages, abbreviations.
        ("7 chiffres et 1 lettre", "sept chiffres et une lettre."),
        ("100 %", "cent pour cent."),
        ("Un RDV n° 3", "Un rendez-vous numéro trois."),
        ("Attendez... vraiment !!!", "Attendez. vraiment !"),
        ("", ""),
        ("🙂👍", ""),
    ],
)
def test_normalize_for_speech(text: str, spoken: str) -> None:
    assert normalize_for_speech(text) == spoken


@pytest.mark.parametrize(
    ("titles", "prompt"),
    [
        (["Oui", "Non"], "Dites oui ou non."),
        (["Oui 👍", "Non 👎"], "Dites oui ou non."),
        (
            ["Me connecter", "M'actualiser", "Sécurité"],
            "Dites me connecter, m'actualiser ou sécurité.",
        ),
        (["Voir les sujets"], "Dites voir les sujets."),
        (["Oui", "oui"], "Dites oui."),
        ([], ""),
    ],
)
def test_choices_prompt(titles: list[str], prompt: str) -> None:
    assert choices_prompt(titles) == prompt
