"""What a Rasa 3.6 server process loads that nobody uses, not loaded (bench/PROFILE.md).

The Rasa server's launcher (`rasa_server/__main__.py`) calls `apply()` once, before the
model is loaded. Measured on this bot, one process after start: 1,750 MiB, of which

- about 590 MiB for building DIET's weights: Rasa's `RasaModel.load` *trains* the new
  model on one example (`model.fit`) only to create its variables, then overwrites them
  with the trained weights. Keras traces the whole training graph for it (gradients,
  Adam's slots, `fit`'s machinery) and keeps it for the life of the process, which only
  ever predicts. Here, when the model is loaded to predict, the variables are created by
  one forward pass of the same loss, eagerly, without gradients; the trained weights are
  then loaded as before and the predictions are the same (tests/rasa_server/
  test_memory.py). Loading to fine-tune still goes through Rasa's own code.
- about 160 MiB for a second copy of the spaCy model: Rasa's graph has two nodes for
  `SpacyNLP` (here `rasa_server.nlu.LeanSpacyNLP`; one provides the model, one processes
  messages with the model it is given) and each loads the model. Here both get the same
  one (`spacy.load` of a name, once per process); nothing writes to it after loading.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Optional, Text

logger = logging.getLogger(__name__)

_APPLIED = False


def apply() -> None:
    """Replaces the two loads in this process (idempotent)."""
    global _APPLIED
    if _APPLIED:
        return
    _one_spacy_model_per_name()
    _weights_without_training()
    _APPLIED = True
    logger.debug("Rasa memory fixes applied")


def _one_spacy_model_per_name() -> None:
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    from rasa_server.nlu import LeanSpacyNLP  # config.yml's SpacyNLP, with its own loader

    for component in (SpacyNLP, LeanSpacyNLP):
        load_model = component.load_model
        component.load_model = staticmethod(functools.lru_cache(maxsize=None)(load_model))


def _weights_without_training() -> None:
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator
    from rasa.utils.tensorflow.model_data import RasaModelData
    from rasa.utils.tensorflow.models import RasaModel

    rasa_load = RasaModel.load.__func__

    def load(
        cls: Any,
        model_file_name: Text,
        model_data_example: RasaModelData,
        predict_data_example: Optional[RasaModelData] = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        if finetune_mode:  # training goes on: Rasa's own loading, with its optimizer
            return rasa_load(
                cls,
                model_file_name,
                model_data_example,
                predict_data_example,
                finetune_mode,
                *args,
                **kwargs,
            )
        model = cls(*args, **kwargs)
        config = kwargs.get("config", {})
        model.compile(
            optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)),
            run_eagerly=config.get(RUN_EAGERLY),
        )
        # The variables `fit` would create, by the loss's forward pass alone (as in
        # `train_step`, in the training phase), eagerly: no graph is traced or kept.
        batch, _ = RasaBatchDataGenerator(model_data_example, batch_size=1)[0]
        model._training = True
        try:
            model.batch_loss(batch)
        finally:
            model._training = None
        # The trained weights; the checkpoint's optimizer slots are not needed to predict.
        status = model.load_weights(model_file_name)
        if hasattr(status, "expect_partial"):
            status.expect_partial()
        if predict_data_example:
            model.run_inference(predict_data_example)
        return model

    RasaModel.load = classmethod(load)


__all__ = ["apply"]
