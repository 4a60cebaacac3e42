"""The widget's web app through a test client: pages, headers, escaping and spoken messages."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import wave
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from passerelle.config import Settings, load_settings
from passerelle.signing import speech_token
from web.app import content_security_policy, create_app, rasa_public_url
from web.limits import RateLimiter
from web.tts import MAX_TTS_CHARS, SpeechCache

XSS = "<img src=x onerror=alert(1)>"
SECRET = "test-secret"
ENV = {"RASA_TOKEN": "test-token", "PASSERELLE_SECRET_KEY": SECRET, "RASA_PORT": "5005"}
# The widget's own page: the only origin /api/tts answers by default.
ORIGIN = {"origin": "http://127.0.0.1:8000"}


def make_settings(**extra: str) -> Settings:
    return load_settings({**ENV, **extra})


def said(text: str) -> dict:
    """The body "Écouter" sends for a text the assistant said (with its speech token)."""
    return {"text": text, "speech_token": speech_token(SECRET, text)}


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "tts-cache"


@pytest.fixture
def client(cache_dir: Path) -> TestClient:
    app = create_app(make_settings(), SpeechCache(cache_dir))
    return TestClient(
        app, base_url="http://127.0.0.1:8000", raise_server_exceptions=False, headers=ORIGIN
    )


def test_health_answers_ok(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_page_embeds_widget_with_rasa_address_and_idle_delay(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="fr">' in html
    assert 'src="/static/widget.js"' in html
    assert 'data-rasa-url="http://127.0.0.1:5005"' in html
    assert 'data-idle-minutes="10"' in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
    assert "style=" not in html


def test_idle_delay_comes_from_settings(cache_dir: Path) -> None:
    app = create_app(make_settings(WIDGET_IDLE_MINUTES="3"), SpeechCache(cache_dir))
    html = TestClient(app).get("/").text
    assert 'data-idle-minutes="3"' in html


@pytest.mark.parametrize("path", ["/", "/health", "/static/widget.js", "/nulle-part"])
def test_every_response_has_security_headers(client: TestClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self';" in csp
    assert "style-src 'self';" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "connect-src 'self' http://127.0.0.1:5005 ws://127.0.0.1:5005" in csp
    assert "frame-ancestors 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_csp_follows_the_configured_public_rasa_url() -> None:
    config = make_settings(WIDGET_RASA_URL="https://aide.example.org/")
    assert rasa_public_url(config, "127.0.0.1:8000") == "https://aide.example.org"
    csp = content_security_policy(rasa_public_url(config, "anything"))
    assert "connect-src 'self' https://aide.example.org wss://aide.example.org;" in csp


def test_rasa_address_follows_the_page_host_on_a_local_network(cache_dir: Path) -> None:
    app = create_app(make_settings(), SpeechCache(cache_dir))
    html = TestClient(app, base_url="http://192.168.1.20:8000").get("/").text
    assert 'data-rasa-url="http://192.168.1.20:5005"' in html


def test_hostile_host_header_is_not_reflected(client: TestClient) -> None:
    response = client.get("/", headers={"host": '"><script>alert(1)</script>'})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "alert(1)" not in response.headers["content-security-policy"]
    assert 'data-rasa-url="http://127.0.0.1:5005"' in response.text


def test_unknown_page_answers_in_french_without_reflecting_the_path(client: TestClient) -> None:
    response = client.get("/%3Cimg%20src=x%20onerror=alert(1)%3E")
    assert response.status_code == 404
    assert response.text == "Cette page n'existe pas."
    assert "onerror" not in response.text


def test_wrong_method_answers_in_french(client: TestClient) -> None:
    response = client.get("/api/tts")
    assert response.status_code == 405
    assert response.json() == {"erreur": "Cette action n'est pas possible ici."}


def test_widget_files_are_served_locally(client: TestClient) -> None:
    widget = client.get("/static/widget.js")
    assert widget.status_code == 200
    assert "javascript" in widget.headers["content-type"]
    assert "textContent" in widget.text and "innerHTML" not in widget.text
    socket_client = client.get("/static/vendor/socket.io.min.js")
    assert socket_client.status_code == 200
    assert socket_client.text.startswith("/*!\n * Socket.IO v4.")
    assert client.get("/static/widget.css").status_code == 200
    assert client.get("/static/page.css").status_code == 200


def test_page_loads_nothing_from_outside(client: TestClient) -> None:
    html = client.get("/").text
    css = client.get("/static/widget.css").text + client.get("/static/page.css").text
    for text in (html, css):
        assert "http://" not in text.replace("http://127.0.0.1:5005", "")
        assert "https://" not in text
        assert "@import" not in text


def _wav_info(data: bytes) -> tuple[int, int, float]:
    with wave.open(io.BytesIO(data)) as wav:
        return wav.getnchannels(), wav.getframerate(), wav.getnframes() / wav.getframerate()


def test_tts_speaks_a_bot_message_as_wav_and_caches_it(client: TestClient, cache_dir: Path) -> None:
    text = "Cliquez sur « J'ai oublié mon mot de passe »."
    first = client.post("/api/tts", json=said(text))
    assert first.status_code == 200
    assert first.headers["content-type"] == "audio/wav"
    channels, rate, seconds = _wav_info(first.content)
    assert channels == 1 and rate == 16_000  # the default voice, Pico, as the kiosk
    assert seconds > 1.0  # a real sentence, not a silence
    cached = list(cache_dir.glob("*.wav"))
    assert len(cached) == 1
    second = client.post("/api/tts", json=said(text))
    assert second.content == first.content


def test_tts_serves_cached_file_without_synthesising_again(cache_dir: Path) -> None:
    speech = SpeechCache(cache_dir)
    path = speech.path_for("Bonjour.")
    cache_dir.mkdir(parents=True)
    wav = io.BytesIO()
    with wave.open(wav, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 800)
    path.write_bytes(wav.getvalue())
    client = TestClient(create_app(make_settings(), speech), headers=ORIGIN)
    response = client.post("/api/tts", json=said("Bonjour."))
    assert response.content == wav.getvalue()


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ("pas du json", 400, "La demande de lecture est mal formée. Envoyez un texte."),
        (json.dumps({"texte": "Bonjour"}), 400, "La demande de lecture est mal formée."),
        (json.dumps(["Bonjour"]), 400, "La demande de lecture est mal formée."),
        (json.dumps({"text": 12}), 400, "La demande de lecture est mal formée."),
        (json.dumps(said("   ")), 400, "Il n'y a pas de texte à lire."),
        (json.dumps(said("a" * (MAX_TTS_CHARS + 1))), 413, "Le texte est trop long"),
        (json.dumps(said("a" * 20_000)), 413, "Le texte est trop long"),
    ],
)
def test_tts_refuses_bad_requests_in_french(
    client: TestClient, cache_dir: Path, body: str, status: int, message: str
) -> None:
    response = client.post("/api/tts", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    assert response.json()["erreur"].startswith(message)
    assert not cache_dir.exists() or not list(cache_dir.glob("*.wav"))


def test_tts_error_does_not_reflect_the_text(client: TestClient) -> None:
    response = client.post("/api/tts", json=said(XSS + "a" * MAX_TTS_CHARS))
    assert response.status_code == 413
    assert "onerror" not in response.text


def test_tts_failure_of_the_voice_layer_gives_a_french_503(cache_dir: Path) -> None:
    def broken(text: str) -> bytes:
        raise RuntimeError("espeak-ng absent")

    client = TestClient(create_app(make_settings(), SpeechCache(cache_dir, broken)), headers=ORIGIN)
    response = client.post("/api/tts", json=said("Bonjour."))
    assert response.status_code == 503
    assert response.json()["erreur"].startswith("La lecture à voix haute ne marche pas")
    assert "espeak" not in response.text


def test_tts_allows_a_listed_embedding_site_by_cors_and_no_other(cache_dir: Path) -> None:
    embedder = "https://association.example.org"
    app = create_app(make_settings(WIDGET_EMBED_ORIGINS=embedder), SpeechCache(cache_dir))
    client = TestClient(app, base_url="http://127.0.0.1:8000")
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    allowed = client.options("/api/tts", headers={"origin": embedder, **preflight})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == embedder
    assert "access-control-allow-credentials" not in allowed.headers
    other = client.options("/api/tts", headers={"origin": "https://pirate.example", **preflight})
    assert "access-control-allow-origin" not in other.headers
    spoken = client.post("/api/tts", json=said("Bonjour."), headers={"origin": embedder})
    assert spoken.status_code == 200


@pytest.mark.parametrize(
    "origin", [None, "https://pirate.example", "http://127.0.0.1:8000.pirate.example", "null"]
)
def test_tts_answers_only_the_widget_origins(cache_dir: Path, origin: object) -> None:
    client = TestClient(create_app(make_settings(), SpeechCache(cache_dir)))
    headers = {"origin": origin} if origin else {}
    response = client.post("/api/tts", json=said("Bonjour."), headers=headers)
    assert response.status_code == 403
    assert response.json() == {
        "erreur": "La lecture à voix haute ne marche que depuis la page de l'assistant."
    }
    assert not cache_dir.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"text": "Texte choisi par un inconnu."},
        {"text": "Texte choisi par un inconnu.", "speech_token": "123.abc"},
        # A real token, for another text.
        {"text": "Texte choisi par un inconnu.", "speech_token": speech_token(SECRET, "Bonjour.")},
        # A token signed with another key.
        {"text": "Bonjour.", "speech_token": speech_token("autre-clé", "Bonjour.")},
        # An expired token.
        {"text": "Bonjour.", "speech_token": speech_token(SECRET, "Bonjour.", now=1_000_000)},
    ],
    ids=["no token", "forged", "other text", "other key", "expired"],
)
def test_tts_refuses_a_text_the_assistant_never_said(
    client: TestClient, cache_dir: Path, body: dict
) -> None:
    response = client.post("/api/tts", json=body)
    assert response.status_code == 403
    assert response.json()["erreur"].startswith("Ce texte ne vient pas de l'assistant")
    assert not cache_dir.exists()


def test_tts_throttles_a_loop_per_client(client: TestClient) -> None:
    statuses = [client.post("/api/tts", json=said("Bonjour.")).status_code for _ in range(25)]
    assert statuses[:10] == [200] * 10  # a person's clicks go through
    assert 429 in statuses
    refused = client.post("/api/tts", json=said("Bonjour."))
    assert refused.status_code == 429
    assert refused.json()["erreur"] == (
        "Trop de demandes de lecture. Attendez une minute, puis réessayez."
    )
    assert client.get("/health").status_code == 200


async def test_tts_answers_503_in_french_when_the_queue_is_full(cache_dir: Path) -> None:
    from voice.tts import synthesize_wav

    started, release = threading.Event(), threading.Event()

    def slow_real_voice(text: str) -> bytes:
        started.set()
        release.wait(10)  # hold the first synthesis while the others arrive
        return synthesize_wav(text)

    speech = SpeechCache(cache_dir, slow_real_voice, max_waiting=2)
    app = create_app(make_settings(), speech, RateLimiter(100, 100))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://127.0.0.1:8000", headers=ORIGIN
    ) as http:
        texts = [f"Phrase numéro {number}." for number in range(6)]
        first = asyncio.ensure_future(http.post("/api/tts", json=said(texts[0])))
        await asyncio.to_thread(started.wait, 10)
        others = [asyncio.ensure_future(http.post("/api/tts", json=said(t))) for t in texts[1:]]
        await asyncio.sleep(0.5)
        release.set()
        responses = [await first] + [await other for other in others]
    statuses = [response.status_code for response in responses]
    assert statuses.count(200) == 3 and statuses.count(503) == 3, statuses
    busy = next(response for response in responses if response.status_code == 503)
    assert busy.json() == {
        "erreur": "La lecture à voix haute est très demandée. Réessayez dans un instant."
    }


def test_printable_summary_pages_are_mounted_with_the_same_headers(client: TestClient) -> None:
    response = client.get("/resume/lien-abime")
    assert response.status_code == 404
    assert "Récapitulatif introuvable" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]
