"""Answers mapped to buttons: folded words, yes/no forms, then a fuzzy match; never a guess."""

from __future__ import annotations

import pytest

from voice.grammar import SURE, UNSURE, Grammar, similarity

TOPICS = [
    {"title": "Me connecter", "payload": "/how_to_login"},
    {"title": "M'actualiser", "payload": "/start_actualisation"},
    {"title": "Mes courriers", "payload": "/received_mail"},
    {"title": "Conseils de sécurité", "payload": "/security_advice"},
]
YES_NO = [
    {"title": "Oui, c'est correct", "payload": "/affirm"},
    {"title": "Non", "payload": "/deny"},
]


@pytest.mark.parametrize(
    ("heard", "snapped", "payload"),
    [
        ("Mes courriers.", "Mes courriers.", "/received_mail"),  # as said
        ("Mais courrier.", "mes courriers", "/received_mail"),  # misheard, surely this one
        ("Conseil sécurité", "conseils de securite", "/security_advice"),
        ("Me connecte.", "me connecter", "/how_to_login"),
        ("Plantement.", "", None),  # looks like "plus lentement", not surely: ask again
        ("Mon actualisation", "", None),  # between phrases: ask again
        ("Je veux mes attestations", "Je veux mes attestations", None),  # a free request
        ("Bonjour", "Bonjour", None),
        ("Répète, s'il vous plaît.", "Répète, s'il vous plaît.", "répète"),
        ("", "", None),
    ],
)
def test_snap_then_payload(heard: str, snapped: str, payload: str | None) -> None:
    grammar = Grammar.from_buttons(TOPICS)
    assert grammar.snap(heard) == snapped
    assert grammar.payload_for(grammar.snap(heard)) == payload


@pytest.mark.parametrize(
    ("heard", "payload"),
    [
        ("Oui.", "/affirm"),
        ("Bien sûr.", "/affirm"),  # every yes form of passerelle.text, not only the spoken ones
        ("Tout à fait.", "/affirm"),
        ("Pas vraiment.", "/deny"),
        ("Non, merci.", "/deny"),
        ("Euh, oui.", "/affirm"),
        ("Bon.", None),  # near "non", never taken for it
    ],
)
def test_yes_and_no_in_their_everyday_forms(heard: str, payload: str | None) -> None:
    grammar = Grammar.from_buttons(YES_NO)
    assert grammar.payload_for(grammar.snap(heard)) == payload


def test_two_near_phrases_of_different_payloads_are_ambiguous() -> None:
    grammar = Grammar.from_buttons(
        [{"title": "Mes courriers", "payload": "/a"}, {"title": "Mes courrier", "payload": "/b"}]
    )
    match = grammar.nearest("mes courriers")
    assert match is not None and not match.sure or grammar.payload_for("mes courriers") == "/a"
    assert grammar.nearest("mais courier") is not None
    assert not grammar.nearest("mais courier").sure  # both near: the kiosk asks again


def test_thresholds_are_ordered() -> None:
    assert 0 < UNSURE < SURE < 1
    assert similarity("mais courrier", "mes courriers") >= SURE
    assert UNSURE <= similarity("bon", "non") < SURE
