"""What each intent is about, in French, for a counsellor (console list, filter, charts).

One table for every intent of `domain.yml` and Rasa's `nlu_fallback`;
`tests/passerelle/test_topics.py` checks that none is missing.
"""

from __future__ import annotations

from typing import Optional

from passerelle.names import AFFIRM_INTENT, DENY_INTENT, FALLBACK_INTENT, INFORM_INTENT

TOPIC_LABELS = {
    "greet": "Salutation",
    "goodbye": "Au revoir",
    "thank": "Remerciement",
    "affirm": "Oui",
    "deny": "Non",
    "bot_challenge": "Parle à une machine ?",
    "help": "Demande d'aide",
    "forgot_identifier": "Identifiant oublié",
    "forgot_password": "Mot de passe oublié",
    "how_to_login": "Se connecter",
    "mobile_app": "Application mobile",
    "france_connect": "FranceConnect",
    "registration": "Inscription",
    "start_actualisation": "Actualisation",
    "actualisation_period": "Dates de l'actualisation",
    "actualisation_requirements": "Ce qu'il faut pour s'actualiser",
    "actualisation_proof": "Justificatif d'actualisation",
    "actualisation_correction": "Corriger une actualisation",
    "send_document": "Envoyer un document",
    "received_mail": "Courrier reçu",
    "advisor_contact": "Joindre son conseiller",
    "appointments": "Rendez-vous",
    "certificates": "Attestations",
    "security_advice": "Conseils de sécurité",
    "suspicious_message": "Message suspect",
    "password_advice": "Choisir un mot de passe",
    "shared_computer": "Ordinateur partagé",
    "disclose_credentials": "A donné un secret",
    "human_handoff": "Demande un conseiller",
    "cv_help": "Aide pour le CV",
    "job_search": "Recherche d'emploi",
    "repeat": "Répéter",
    "stop": "Arrêter",
    "out_of_scope": "Hors sujet",
    "inform": "Réponse à une question",
    FALLBACK_INTENT: "Non compris",
}

# Answers to a question, not topics a person brings: left out of the console's "Sujets"
# column and top-topics chart (its topic filter still offers them).
ANSWER_INTENTS = frozenset({AFFIRM_INTENT, DENY_INTENT, INFORM_INTENT})


def topic_label(intent: Optional[str]) -> str:
    """The French label of an intent; an unknown intent keeps its name (never hidden)."""
    if not intent:
        return "Inconnu"
    return TOPIC_LABELS.get(intent, intent)


__all__ = ["ANSWER_INTENTS", "TOPIC_LABELS", "topic_label"]
