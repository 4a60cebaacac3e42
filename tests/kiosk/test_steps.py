"""Long answers cut into short spoken steps, measured with the kiosk's real voice."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.kiosk import load_messages
from kiosk.speak import sentences, speech_seconds
from kiosk.steps import STEP_SECONDS, plan_steps, speakable, without_current_year, without_links
from voice.config import VoiceConfig

RATE = VoiceConfig.from_settings().tts_rate  # the kiosk's default rate
MORE = load_messages()["more"]
TODAY = date(2026, 11, 26)


def seconds(text: str) -> float:
    return speech_seconds(text, RATE)


def test_a_short_answer_is_one_step_with_its_question() -> None:
    steps = plan_steps(
        ["Je n'envoie rien à France Travail."], "Avez-vous travaillé ?", seconds, MORE
    )
    assert len(steps) == 1 and steps[0].last
    assert steps[0].text == "Je n'envoie rien à France Travail. Avez-vous travaillé ?"


def test_a_long_answer_is_cut_between_paragraphs_and_every_step_is_short() -> None:
    paragraphs = [
        "Voici comment retrouver votre identifiant, sur le site France Travail. "
        "En haut à droite, choisissez Connexion Candidat.",
        "Puis choisissez J'ai oublié mon nom d'utilisateur. "
        "Vous recevez votre identifiant par mail ou par SMS.",
        "Votre premier identifiant est aussi sur le courrier reçu après votre inscription. "
        "Il a sept chiffres et une lettre.",
    ]
    closing = "Dites mot de passe oublié ou me connecter."
    steps = plan_steps(paragraphs, closing, seconds, MORE)
    assert len(steps) >= 2
    for step in steps[:-1]:
        assert step.ending == MORE and not step.last
    assert steps[-1].last and steps[-1].text.endswith(closing)
    # Nothing is lost or repeated, and the pauses fall between paragraphs.
    assert " ".join(step.body for step in steps) == " ".join(paragraphs)
    assert all(step.body in paragraphs or " " in step.body for step in steps)
    for step in steps:
        assert seconds(step.text) <= STEP_SECONDS, step.text


def test_a_paragraph_too_long_for_one_step_is_cut_between_sentences() -> None:
    long_paragraph = " ".join(
        f"Conseil numéro {n} : ne donnez jamais vos codes à personne." for n in range(1, 7)
    )
    steps = plan_steps([long_paragraph], "", seconds, MORE)
    assert len(steps) >= 3
    for step in steps:
        assert seconds(step.text) <= STEP_SECONDS
        assert sentences(step.body)  # whole sentences only
    assert " ".join(step.body for step in steps) == long_paragraph


def test_the_rest_goes_with_the_question_when_it_fits() -> None:
    """No "Voulez-vous la suite ?" when the whole answer and its question fit in one step."""
    paragraphs = ["C'est un entraînement.", "Je pose les questions une par une."]
    steps = plan_steps(paragraphs, "Voulez-vous vous entraîner maintenant ?", seconds, MORE)
    assert len(steps) == 1


def test_a_closing_that_no_longer_fits_gets_a_step_of_its_own() -> None:
    body = "Ne donnez jamais vos codes, par exemple de carte bancaire. " * 2
    closing = "Est-ce correct ? Dites oui, c'est correct, ou non, je veux changer une réponse."
    steps = plan_steps([body.strip()], closing, seconds, MORE)
    assert steps[-1].text == closing or seconds(steps[-1].text) <= STEP_SECONDS
    assert all(seconds(step.text) <= STEP_SECONDS for step in steps)


def test_slower_speech_gives_more_steps() -> None:
    text = " ".join(f"Étape {n} : choisissez la rubrique numéro {n}." for n in range(1, 9))
    normal = plan_steps([text], "", seconds, MORE)
    slow = plan_steps([text], "", lambda t: speech_seconds(t, RATE - 50), MORE)
    assert len(slow) > len(normal)


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        (
            "Voici le lien : https://exemple.fr/resume/eJxdj8EK.abc Gardez-le.",
            "Voici le lien : Gardez-le.",
        ),
        ("Allez sur www.francetravail.fr maintenant.", "Allez sur maintenant."),
    ],
)
def test_links_are_never_read(text: str, spoken: str) -> None:
    assert without_links(text).split() == spoken.split()
    assert "eJx" not in speakable(text, TODAY) and "point" not in speakable(text, TODAY)


def test_dates_of_this_year_are_said_without_the_year() -> None:
    assert without_current_year("du 01/11/2026 au 30/11/2026", TODAY) == "du 01/11 au 30/11"
    assert without_current_year("du 28 novembre 2026 au 15 décembre 2026", TODAY) == (
        "du 28 novembre au 15 décembre"
    )
    assert without_current_year("décembre 2025", TODAY) == "décembre 2025"  # another year
    assert speakable("L'actualisation de novembre 2026.", TODAY) == "L'actualisation de novembre."


def test_list_items_become_sentences_a_step_can_end_on() -> None:
    recap = (
        "Pour la période du 01/11/2026 au 30/11/2026, vous déclarez :\n"
        "- ne pas avoir travaillé ;\n- ne pas avoir été en stage ;\n"
        "- être toujours à la recherche d'un emploi."
    )
    assert sentences(speakable(recap, TODAY)) == [
        "Pour la période du premier novembre au trente novembre, vous déclarez : "
        "Ne pas avoir travaillé.",
        "Ne pas avoir été en stage.",
        "Être toujours à la recherche d'un emploi.",
    ]
