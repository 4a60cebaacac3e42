"""SMS and phonetic spellings respelled for the NLU (`passerelle/spelling.py`)."""

from __future__ import annotations

import pytest

from passerelle.spelling import (
    Vocabulary,
    load_lexicon,
    read_word_lists,
    respell,
    sound,
    without_punctuation,
)
from passerelle.text import fold


@pytest.fixture(scope="module")
def lexicon() -> dict:
    return load_lexicon()


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("g pa travaillé", "j'ai pas travaille"),
        ("jsp koi fer", "je ne sais pas quoi faire"),
        ("ché pa", "sais pas"),
        ("mdp oublié", "mot de passe oublie"),
        ("bjr", "bonjour"),
        ("chui perdu", "je suis perdu"),
        ("c koi", "c'est quoi"),
        ("c'est bon", "c'est bon"),  # the c of "c'est" is not the word "c"
        ("merci bcp stp", "merci beaucoup s'il te plait"),
        ("kan", "quand"),
        ("keske", "qu'est-ce que"),
        ("ouiiii", "oui"),
        ("35h", "35 h"),
        ("20h30", "20h30"),
        ("1 200 €", "1 200 €"),
        ("mon cv", "mon cv"),
    ],
)
def test_respell(lexicon: dict, written: str, read: str) -> None:
    assert respell(fold(written), lexicon).text == read


def test_offsets_map_both_ways(lexicon: dict) -> None:
    respelled = respell(fold("g fé 35h et pa 1200€"), lexicon)
    assert respelled.text == "j'ai fait 35 h et pas 1200€"
    hours = respelled.text.index("35")
    assert respelled.original_span(hours, hours + 2) == (5, 7)
    assert respelled.respelled_span(5, 7) == (hours, hours + 2)
    amount = respelled.text.index("1200")
    assert respelled.original_span(amount, amount + 4) == (15, 19)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("Comment je me connecte ?", "comment je me connecte  "),
        ("Oui. Non! (bon)...", "oui  non   bon    "),
        ("« 12,50 euros », 1.200 €.", "  12,50 euros    1.200 € "),
        ("du 3/11 au 10/11 : malade", "du 3/11 au 10/11   malade"),
        ("l'arrêt-maladie", "l'arret-maladie"),
    ],
)
def test_sentence_punctuation_is_read_as_a_space(lexicon: dict, written: str, read: str) -> None:
    respelled = respell(fold(written), lexicon)
    blanked = without_punctuation(respelled)
    assert blanked.text == read
    assert blanked.sources == respelled.sources  # same length: entity offsets still hold


@pytest.mark.parametrize(
    ("written", "heard"),
    [
        ("question", "kestion"),
        ("expliquer", "expliker"),
        ("connecter", "conecte"),
        ("arnaque", "arnak"),
        ("quand", "kan"),
        ("quoi", "koi"),
        ("message", "mesage"),
        ("dangereux", "dangereu"),
        ("inscrit", "inscri"),
        ("comment", "koman"),
    ],
)
def test_spellings_by_ear_sound_like_the_word(written: str, heard: str) -> None:
    assert sound(written) == sound(heard)


def test_sound_keeps_numbers_and_tells_words_apart() -> None:
    assert sound("35") == "35"
    assert sound("j'") == "j'"
    assert sound("heures") != sound("euros")
    assert sound("oui") != sound("non")


def test_lexicon_keys_are_single_folded_words(lexicon: dict) -> None:
    assert lexicon["g"] == "j'ai"
    assert all(key == fold(key) and " " not in key for key in lexicon)
    assert not any(key.isdigit() for key in lexicon)


def test_word_lists_are_read() -> None:
    known, fillers = read_word_lists()
    assert {"hello", "password"} <= known
    assert "euh" in fillers


@pytest.mark.parametrize(
    ("text", "noise"),
    [
        ("qsdfgh", True),
        ("blorf zatu kripo", True),
        ("a", True),
        ("...", True),
        ("ok ok ok ok", True),
        ("ok ok", False),
        ("euh", True),
        ("euh oui", False),
        ("35", False),
        ("actualistion", False),  # one letter from a trained word
        ("bonjour zoubida", False),  # a name beside a known word
    ],
)
def test_noise(text: str, noise: bool) -> None:
    vocabulary = Vocabulary({"ok", "oui", "bonjour"}, {"actualisation"}, {"euh"})
    assert vocabulary.is_noise(text) is noise


@pytest.mark.parametrize(
    ("word", "known"),
    [
        ("actualisation", True),
        ("actualistion", True),  # a letter missing
        ("actualisaation", True),  # a letter added
        ("actualizasion", False),  # two letters changed
        ("actualisatoin", True),  # two neighbours swapped
        ("actualisatiom", True),  # a letter changed
        ("moitie", True),
        ("mokiti", False),  # a letter added here and one dropped there: two changes
    ],
)
def test_fuzzy_knowledge_is_one_change_away(word: str, known: bool) -> None:
    vocabulary = Vocabulary(set(), {"actualisation", "moitie"})
    assert vocabulary.knows(word) is known
