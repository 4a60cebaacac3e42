"""Custom Rasa NLU components that make French work for Passerelle's audience."""

from passerelle.nlu.components import FrenchNormalizer, UnreadableMessageGuard

__all__ = ["FrenchNormalizer", "UnreadableMessageGuard"]
