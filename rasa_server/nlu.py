"""Rasa graph components: French normaliser (first in the pipeline) and unreadable-message guard."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from passerelle.names import FALLBACK_INTENT
from passerelle.text import MAX_PARSED_CHARS, fold, has_words

# The text as the person wrote it, kept while the pipeline works on the folded copy.
ORIGINAL_TEXT_KEY = "passerelle_original_text"


class _StatelessComponent(GraphComponent):
    """A component with no configuration and nothing trained or stored."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls()


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class FrenchNormalizer(_StatelessComponent):
    """Folds the text (lowercase, no accents, no emoji) before spaCy sees it.

    Wire it first in `config.yml`: `- name: rasa_server.nlu.FrenchNormalizer`.
    Training examples get the same folding, so "oublié" and "oublie" are one word.
    """

    @staticmethod
    def _normalize(message: Message, inference: bool) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str):
            return
        if inference:
            message.set(ORIGINAL_TEXT_KEY, text)
            text = text[:MAX_PARSED_CHARS]
        message.set(TEXT, fold(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalize(example, inference=False)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message, inference=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class UnreadableMessageGuard(_StatelessComponent):
    """Ends the French pipeline: gives back the original text, catches unreadable messages.

    Wire it last in `config.yml`: `- name: rasa_server.nlu.UnreadableMessageGuard`.
    The parse result carries the text as the person wrote it (actions and the store see
    it, not the folded copy). An empty, emoji-only, punctuation-only or overlong message
    becomes `nlu_fallback`, and the fallback action says what is expected.
    """

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            original = message.get(ORIGINAL_TEXT_KEY)
            if isinstance(original, str):
                message.set(TEXT, original)
            text = message.get(TEXT) or ""
            if text.startswith("/") or (has_words(text) and len(text) <= MAX_PARSED_CHARS):
                continue
            message.set(INTENT, {"name": FALLBACK_INTENT, "confidence": 1.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages
