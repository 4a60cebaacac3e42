"""The French apology when a service behind Rasa fails (rasa_server/faults.py).

Real Rasa objects: the real domain, Rasa's own RemoteAction against a port where nothing
listens, Rasa's collecting output channel. The whole path, with real processes killed, is in
tests/supervisor/test_scaleout_stack.py.
"""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
import redis.exceptions
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from passerelle.domain import DOMAIN_PATH, load_domain
from rasa_server import faults
from tests.support.private_services import free_port, wait_for_port

APOLOGY = load_domain()["responses"][faults.APOLOGY_RESPONSE][0]["text"]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(DOMAIN_PATH))


def form_tracker(domain: Domain) -> DialogueStateTracker:
    tracker = DialogueStateTracker.from_events(
        "panne",
        [ActiveLoop("actualisation_form"), SlotSet("requested_slot", "internship")],
        slots=domain.slots,
    )
    return tracker


async def test_unreachable_action_server_apologises_and_asks_the_question_again(
    domain, caplog
) -> None:
    faults.install()
    faults.install()  # twice is once
    action = RemoteAction(
        "validate_actualisation_form", EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")
    )
    output = CollectingOutputChannel()
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    with pytest.raises(RasaException):  # Rasa then drops the action's events
        await action.run(output, nlg, form_tracker(domain), domain)
    texts = [message["text"] for message in output.messages]
    assert texts[0] == APOLOGY
    assert texts[1].startswith("Avez-vous été en stage")
    assert len(texts) == 2
    assert "Serveur d'actions injoignable pendant l'action validate_actualisation_form" in (
        caplog.text
    )
    with pytest.raises(RasaException):  # a second failure in the same turn: no repeat
        await action.run(output, nlg, form_tracker(domain), domain)
    assert len(output.messages) == 2


async def test_a_message_that_cannot_be_processed_gets_the_apology(caplog) -> None:
    caplog.set_level(logging.ERROR)

    async def redis_is_down(message: UserMessage) -> None:
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6390.")

    output = CollectingOutputChannel()
    await faults.guard(redis_is_down)(UserMessage("bonjour", output, "panne"))
    assert [message["text"] for message in output.messages] == [APOLOGY]
    assert "Magasin de verrous Redis injoignable (ConnectionError: Error 111" in caplog.text


async def test_a_processed_message_gets_no_apology() -> None:
    async def fine(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "Bonjour !")

    output = CollectingOutputChannel()
    await faults.guard(fine)(UserMessage("bonjour", output, "ok"))
    assert [message["text"] for message in output.messages] == ["Bonjour !"]


async def test_an_action_server_in_error_gets_the_same_apology(domain, caplog) -> None:
    """An HTTP error (here 501 from a server that is not an action server) is not silence."""
    faults.install()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        action = RemoteAction("action_repeat", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
        output = CollectingOutputChannel()
        nlg = TemplatedNaturalLanguageGenerator(domain.responses)
        tracker = DialogueStateTracker.from_events("erreur", [], slots=domain.slots)
        with pytest.raises(RasaException):
            await action.run(output, nlg, tracker, domain)
    finally:
        server.kill()
        server.wait()
    assert [message["text"] for message in output.messages] == [APOLOGY]  # no form: no question
    assert "Serveur d'actions en erreur pendant l'action action_repeat" in caplog.text
