"""Reading the person's words during the actualisation: help, stop, corrections, dates.

Pure functions of the text (no Rasa), used by `actions/actualisation.py`. Folding, yes/no
and numbers come from the core (`passerelle.text`, `passerelle.numbers`).
"""

from __future__ import annotations

import re
from typing import Optional

from text_to_num import alpha2digit

from passerelle import actualisation as form
from passerelle.names import GOODBYE_INTENT, HELP_INTENT, STOP_INTENT
from passerelle.privacy import mask_text
from passerelle.text import fold, words

# Saying goodbye in the middle of the rehearsal also asks whether to stop it.
LEAVE_INTENTS = frozenset({STOP_INTENT, GOODBYE_INTENT})
LEAVE_CONFIDENCE = 0.5
MAX_DAY = 31

STOP_WORDS = frozenset(
    words(phrase)
    for phrase in (
        "stop", "arrête", "arrêter", "j'arrête", "je veux arrêter", "on arrête", "annuler",
        "annule", "abandonner", "laisse tomber", "laissez tomber", "quitter", "fin", "stopper",
    )
)  # fmt: skip
HELP_PATTERN = re.compile(
    r"\b(?:aide|aidez|help|c'est quoi|c est quoi|qu'est ce|qu est ce|"
    r"ca veut dire|veut dire quoi|comprends? pas|comprend rien|comprends rien|"
    r"explique|expliquer|expliquez|c koi|cest quoi)\b"
)
DONT_KNOW_PATTERN = re.compile(
    r"\b(?:sais pas|sait pas|sais plus|ne sais|aucune idee|connais pas|sai pas|chais pas|"
    r"j'sais pas|jsais pas|jsp|oublie)\b"
)
NET_PATTERN = re.compile(r"\bnets?\b")
# "Estimer" (the salary question's button): estimate the gross from the hourly rate.
ESTIMATE_PATTERN = re.compile(r"\b(?:estimer?|estimation|estimez|calculer|calcul)\b")
# "Voir un exemple" (the button offered after two answers not understood).
EXAMPLE_PATTERN = re.compile(r"\bexemples?\b")
# "Passer cette question" (same buttons): it is a rehearsal, the answer can wait.
SKIP_PATTERN = re.compile(
    r"\b(?:passer|sauter|question suivante|je passe|on passe|passe cette question)\b"
)
WHOLE_MONTH_PATTERN = re.compile(r"\btout le mois\b")
# Words of the person's message that point to one question's help.
TOPIC_KEYWORDS = (
    (form.HOURLY_RATE_SLOT, ("horaire", "de l'heure", "par heure")),
    (form.SALARY_SLOT, ("brut", "salaire", "net", "euros", "montant")),
    (form.HOURS_SLOT, ("heures",)),
    ("internship", ("stage", "formation")),
    ("sick_leave", ("maladie", "arret")),
    ("maternity_leave", ("maternite",)),
    ("retirement_pension", ("retraite",)),
    ("invalidity_pension", ("invalidite",)),
    ("still_seeking", ("recherche", "cherche", "inscription", "inscrit")),
    ("worked", ("travail", "travaille", "activite", "salarie", "entreprise")),
)
# Answers to "Quelle réponse voulez-vous changer ?" (button payloads and free words).
# The hours or the salary alone are read first (`correction_target`); "travail" re-asks
# whether the person worked.
HOURS_WORDS = re.compile(r"(?<!\w)heures?\b")
SALARY_WORDS = re.compile(r"(?<!\w)(?:salaires?|brut|montant|euros?)\b")
CORRECTION_KEYWORDS = (
    ("worked", ("travail", "1")),
    ("internship", ("stage", "formation", "2")),
    ("sick_leave", ("maladie", "arret", "3")),
    ("maternity_leave", ("maternite", "4")),
    ("retirement_pension", ("retraite", "5")),
    ("invalidity_pension", ("invalidite", "6")),
    ("still_seeking", ("recherche", "cherche", "emploi", "7")),
)


def wants_stop(text: str, intent: str, confidence: float) -> bool:
    """The person asks to stop the rehearsal."""
    return words(text) in STOP_WORDS or (intent in LEAVE_INTENTS and confidence >= LEAVE_CONFIDENCE)


def help_topic(text: str, intent: str, requested: str) -> Optional[str]:
    """The question whose help the person asks for, or None if they do not ask for help."""
    said = words(text)
    if intent != HELP_INTENT and not HELP_PATTERN.search(said) and said != "quoi":
        return None
    for topic, keywords in TOPIC_KEYWORDS:
        if any(keyword in said for keyword in keywords):
            return topic
    return requested


def says_dont_know(text: str) -> bool:
    """ "je sais pas", "aucune idée", "jsp"."""
    return bool(DONT_KNOW_PATTERN.search(words(text)))


def wants_estimate(text: str) -> bool:
    """ "estimer", "une estimation": estimate the gross salary from the hourly rate."""
    return bool(ESTIMATE_PATTERN.search(words(text)))


def asks_example(text: str) -> bool:
    """ "exemple", "un exemple svp"."""
    return bool(EXAMPLE_PATTERN.search(words(text)))


def wants_skip(text: str) -> bool:
    """ "passer cette question", "sauter"."""
    return bool(SKIP_PATTERN.search(words(text)))


def says_net(text: str) -> bool:
    """The person gives or mentions a net amount."""
    return bool(NET_PATTERN.search(words(text)))


def correction_target(text: str) -> Optional[str]:
    """The answer the person wants to change ("stage" -> "internship", "les heures" ->
    "hours_worked", "le salaire" -> "gross_salary", "travail" -> "worked")."""
    said = words(text)
    hours, salary = bool(HOURS_WORDS.search(said)), bool(SALARY_WORDS.search(said))
    if hours and salary:
        return "worked"
    if hours or salary:
        return form.HOURS_SLOT if hours else form.SALARY_SLOT
    for field, keywords in CORRECTION_KEYWORDS:
        if any(
            re.search(rf"(?<!\w){re.escape(keyword)}", said)
            if not keyword.isdigit()
            # a digit must stand alone: "2", not "12"
            else re.fullmatch(keyword, said)
            for keyword in keywords
        ):
            return field
    return None


def sick_leave_dates(text: str) -> Optional[str]:
    """The dates as the person gave them, numbers in digits ("du 3 au 10 mars"), or None."""
    said = re.sub(r"\s+", " ", (text or "").strip())
    if not said:
        return None
    if WHOLE_MONTH_PATTERN.search(fold(said)):
        return mask_text(said)
    converted = alpha2digit(said, "fr")
    converted = re.sub(r"\b(?:premier|1er)\b", "1", converted, flags=re.IGNORECASE)
    numbers = [int(n) for n in re.findall(r"\d+", converted)]
    days = [n for n in numbers if n < 1000]
    if not days or any(n < 1 or n > MAX_DAY for n in days):
        return None
    return mask_text(converted)


__all__ = [
    "asks_example",
    "correction_target",
    "help_topic",
    "says_dont_know",
    "says_net",
    "sick_leave_dates",
    "wants_estimate",
    "wants_skip",
    "wants_stop",
]
