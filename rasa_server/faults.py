"""What the person gets when a service behind Rasa fails: a short French apology, never silence.

Two failures are caught in the Rasa process:
- the action server cannot be reached (stopped, restarting): Rasa logs the error, drops the
  action's events and goes on, so the person would get nothing. `install()` wraps Rasa's
  `RemoteAction.run` (Rasa 3.6 has no hook for a failed custom action): the person gets
  `APOLOGY_RESPONSE`, then, inside the actualisation form, the question they were answering
  (`utter_ask_<requested_slot>`, rendered by Rasa itself). The error is raised again, so Rasa
  stores nothing of the failed action: the answer is not recorded, every earlier one stays,
  and once the action server is back the same answer continues the form;
- the message cannot be processed at all (the Redis lock store is down, the database is
  unreachable): Rasa's channels log the exception and answer nothing. `guard()` wraps the
  channels' `on_new_message` (REST, kiosk, widget) and sends the apology instead.
The operator gets one clear log line for each (in French, like the supervisor's).
The apology is sent at most once per incoming message.

After a database restart, the connections SQLAlchemy keeps in its pool are dead, and Rasa
does not retry: the first message would fail. `install()` also tests each connection as it
leaves the pool (`SELECT 1`, what `pool_pre_ping` does; Rasa creates its engine without
it), so a dead one is replaced and the message is stored.
"""

from __future__ import annotations

import functools
import logging
import weakref
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.exceptions import RasaException

from passerelle.domain import load_domain

logger = logging.getLogger(__name__)

# "Désolé, un problème technique..." (domain.yml).
APOLOGY_RESPONSE = "utter_technical_problem"
QUESTION_PREFIX = "utter_ask_"
# What Rasa's RemoteAction says when nothing answers at the action server's address.
CONNECTION_FAILED = "Couldn't connect"
# The output channels (one per incoming message) that already carried the apology.
_apologised: weakref.WeakSet[OutputChannel] = weakref.WeakSet()


def apology_for(channel_name: Optional[str]) -> Dict[str, Any]:
    """The apology's variant for this channel (`channel: kiosk`), else the general one."""
    variants = load_domain()["responses"][APOLOGY_RESPONSE]
    general = [v for v in variants if not v.get("channel")]
    own = [v for v in variants if channel_name and v.get("channel") == channel_name]
    variant = (own or general)[0]
    return {"text": variant["text"]}


def _first_apology(output_channel: OutputChannel) -> bool:
    """True the first time for this incoming message's output channel."""
    try:
        if output_channel in _apologised:
            return False
        _apologised.add(output_channel)
    except TypeError:  # an output channel that cannot be weakly referenced
        pass
    return True


async def _run_or_apologise(
    original: Callable[..., Awaitable[Any]],
    action: RemoteAction,
    output_channel: OutputChannel,
    nlg: Any,
    tracker: Any,
    domain: Any,
    *args: Any,
    **kwargs: Any,
) -> Any:
    try:
        return await original(action, output_channel, nlg, tracker, domain, *args, **kwargs)
    except ActionExecutionRejection:
        raise
    except RasaException as error:
        state = "injoignable" if CONNECTION_FAILED in str(error) else "en erreur"
        logger.error(
            "Serveur d'actions %s pendant l'action %s : la personne a reçu un message "
            "d'excuse et sa réponse n'est pas enregistrée. Vérifiez le serveur d'actions "
            "(le superviseur le relance s'il s'est arrêté). Détail : %s",
            state,
            action.name(),
            error,
        )
        if _first_apology(output_channel):
            channel = output_channel.name()
            recipient = tracker.sender_id
            apology = await nlg.generate(APOLOGY_RESPONSE, tracker, channel)
            await output_channel.send_response(recipient, apology or apology_for(channel))
            question = f"{QUESTION_PREFIX}{tracker.get_slot(REQUESTED_SLOT)}"
            if tracker.active_loop_name and question in domain.responses:
                asked = await nlg.generate(question, tracker, channel)
                if asked:
                    await output_channel.send_response(recipient, asked)
        raise


def _ping(dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
    """Before a pooled connection is used: a dead one is replaced (SQLAlchemy retries)."""
    from sqlalchemy import exc

    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - each driver has its own errors
        logger.warning("Connexion à la base perdue (%s) : une nouvelle est ouverte.", error)
        raise exc.DisconnectionError() from error
    finally:
        try:
            cursor.close()
        except Exception:  # noqa: BLE001, S110 - a dead connection may not close its cursor
            pass


def install() -> None:
    """Wraps `RemoteAction.run` once, pings pooled connections (the Rasa launcher calls this)."""
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    if not event.contains(Pool, "checkout", _ping):
        event.listen(Pool, "checkout", _ping)
    original = RemoteAction.run
    if getattr(original, "_passerelle_guarded", False):
        return

    @functools.wraps(original)
    async def run(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
        return await _run_or_apologise(original, self, *args, **kwargs)

    run._passerelle_guarded = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]


def _operator_line(error: Exception) -> str:
    try:
        import redis.exceptions

        if isinstance(error, redis.exceptions.RedisError):
            return (
                "Magasin de verrous Redis injoignable (%s) : message non traité, la personne "
                "a reçu un message d'excuse. Vérifiez que Redis tourne (PASSERELLE_REDIS_URL)."
            )
    except ImportError:  # pragma: no cover - redis is one of Rasa's dependencies
        pass
    return "Message non traité (%s) : la personne a reçu un message d'excuse."


def guard(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
) -> Callable[[UserMessage], Awaitable[Any]]:
    """`on_new_message` that answers with the apology when processing fails."""

    @functools.wraps(on_new_message)
    async def guarded(message: UserMessage) -> Any:
        try:
            return await on_new_message(message)
        except Exception as error:  # noqa: BLE001 - whatever failed, the person gets an answer
            logger.error(_operator_line(error), f"{type(error).__name__}: {error}")
            output = message.output_channel
            if output is not None and _first_apology(output):
                await output.send_response(message.sender_id, apology_for(output.name()))
            return None

    return guarded
