"""Load benchmark of issue 13: Passerelle's actualisation under load, against a stock bot.

In one run, on this machine:
- a stock `rasa init` bot (trained once, cached in var/bench/stock) answers FAQ turns:
  1 user (turn p50), then N users at once (throughput, p95);
- Passerelle (started here on free ports, or `--url`) answers 1 person rehearsing
  actualisations (turn p50), then N people at once, each with their own hours and salary;
  every answer is read back through Rasa's tracker API: errors, lost and wrong answers;
- one long Passerelle conversation: turn ~200 against turn ~10;
- the resident memory of every Rasa process after the load.

With `--processes N`, Passerelle runs N Rasa processes behind nginx (`RASA_PROCESSES`),
sharing a new PostgreSQL database (`--db-url`, 127.0.0.1:5432 by default) and the Redis
lock store (`--redis-url`).
With `--url` (comma-separated for several processes), the bench uses Passerelle as it
runs (`--token`: Rasa's API token; memory only for `--rasa-ports` on this machine).

The figures are printed, never asserted: the machine may be shared.

Usage: .venv/bin/python bench/load.py [--users 50 100 200] [--processes 2] [--skip-stock]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import httpx

from passerelle.actualisation import (
    CONFIRMED_SLOT,
    HOURS_CHECK_SLOT,
    HOURS_SLOT,
    NOT_SEEKING_SLOT,
    REHEARSAL_SLOT,
    SALARY_CHECK_SLOT,
    SALARY_SLOT,
)
from passerelle.config import ROOT, load_settings
from passerelle.domain import load_domain
from supervisor.run import STARTUP_TIMEOUT_S, Supervisor, is_healthy

logger = logging.getLogger("bench.load")

STOCK_DIR = ROOT / "var" / "bench" / "stock"
STOCK_MESSAGES = ("hello", "I am happy", "are you a bot?", "I am sad", "yes", "goodbye")
# Passerelle's FAQ turns in the long conversation, between two actualisations.
FAQ_MESSAGES = (
    "j ai oublie mon identifiant",
    "comment je me connecte",
    "ou sont mes courriers",
    "des conseils de securite",
    "merci",
)
# The form's questions, as the bot asks them (`domain.yml`): `utter_ask_<slot>`, and the
# two wordings of the "35 h par semaine : je note 150 h pour le mois ?" check.
ASK_PREFIX = "utter_ask_"
ASK_ALIASES = {
    "utter_ask_monthly_hours_check_week": HOURS_CHECK_SLOT,
    "utter_ask_monthly_hours_check_day": HOURS_CHECK_SLOT,
}
# A rehearsal asks 11 or 12 questions; more turns than this is a form that never ends.
MAX_FORM_TURNS = 30
LONG_CONVERSATION_TURNS = 200
ONE_USER_ROUNDS = 4
HTTP_TIMEOUT_S = 300.0
GIB = 1024**3
RASA_TOKEN = "RASA_TOKEN"  # noqa: S105 - a variable name, not a secret


# --- what people say ----------------------------------------------------------------------


@dataclass
class Person:
    """One person rehearsing: their own hours, salary and internship answer."""

    index: int
    sender: str = field(default_factory=lambda: f"load-{uuid.uuid4().hex[:12]}")

    @property
    def hours(self) -> float:
        return float(20 + (self.index * 7) % 132) + (0.5 if self.index % 4 == 3 else 0.0)

    @property
    def salary(self) -> float:
        # An hourly rate between 11.5 and 38 euros: never the "is it really gross?" check.
        rate = 11.5 + (self.index * 3.5) % 26.5
        return round(self.hours * rate, 2)

    @property
    def internship(self) -> bool:
        return self.index % 3 == 0

    def hours_text(self) -> str:
        number = f"{self.hours:g}".replace(".", ",")
        return (f"{number} heures", f"{number}h", f"j'ai travaillé {number} heures")[self.index % 3]

    def salary_text(self) -> str:
        euros, cents = divmod(round(self.salary * 100), 100)
        grouped = f"{euros:,}".replace(",", " ")
        amount = f"{grouped},{cents:02d}" if cents else grouped
        return (f"{amount} euros", f"{amount} €", f"{amount} euros brut")[self.index % 3]

    def answer_to(self, question: str) -> Optional[str]:
        """What this person says to `question` (a slot name); None: not a question of theirs.

        Their hours are the month's and their hourly rate is plausible, so the "per week?"
        and "is it really gross?" checks are answered, but noted as surprises.
        """
        answers = {
            REHEARSAL_SLOT: "oui",
            "worked": "oui",
            HOURS_SLOT: self.hours_text(),
            HOURS_CHECK_SLOT: "oui",
            SALARY_SLOT: self.salary_text(),
            SALARY_CHECK_SLOT: "oui",
            "internship": "oui" if self.internship else "non",
            "sick_leave": "non",
            "maternity_leave": "non",
            "retirement_pension": "non",
            "invalidity_pension": "non",
            "still_seeking": "oui",
            NOT_SEEKING_SLOT: "non",
            CONFIRMED_SLOT: "oui",  # the recap is right
        }
        return answers.get(question)

    def expected(self) -> Dict[str, Any]:
        """The slots the tracker must hold once the person confirmed."""
        return {
            "worked": True,
            "hours_worked": self.hours,
            "gross_salary": self.salary,
            "internship": self.internship,
            "sick_leave": False,
            "maternity_leave": False,
            "retirement_pension": False,
            "invalidity_pension": False,
            "still_seeking": True,
            "declaration_confirmed": True,
        }


class Conversation:
    """Sends one person's messages to Passerelle and times each turn."""

    def __init__(self, bench: Bench, person: Person, latencies: List[float]) -> None:
        self.bench = bench
        self.person = person
        self.latencies = latencies

    async def say(self, text: str) -> List[Dict[str, Any]]:
        url = self.bench.next_url()
        start = time.perf_counter()
        try:
            response = await self.bench.client.post(
                f"{url}/webhooks/rest/webhook",
                json={"sender": self.person.sender, "message": text},
            )
            response.raise_for_status()
            messages = response.json()
        except (httpx.HTTPError, ValueError) as error:
            self.bench.errors.append(f"{self.person.sender} {text!r}: {error!r}")
            return []
        self.latencies.append(time.perf_counter() - start)
        if not messages:
            self.bench.errors.append(f"{self.person.sender} {text!r}: no answer")
        return messages

    async def actualisation(self) -> None:
        """One full rehearsal: the person answers the question the bot just asked.

        The question is read in the bot's own reply (`Questions`), so nothing is added to
        the load. A question asked again, one the person has no answer for, or a reply
        with no question before the recap was confirmed is noted (`Bench.surprises`):
        each is the assistant's doing, never the script's.
        """
        person = self.person
        reply = await self.say("je veux m'actualiser")
        asked: List[str] = []
        while len(asked) < MAX_FORM_TURNS:
            question = self.bench.questions.asked_in(reply)
            if question is None:
                if not asked or asked[-1] != CONFIRMED_SLOT:
                    self.bench.note(f"{person.sender}: no question after {asked}: {reply!r}")
                return
            answer = person.answer_to(question)
            if answer is None or question in asked:
                self.bench.note(f"{person.sender}: {question} after {asked}")
            if answer is None:
                return
            asked.append(question)
            reply = await self.say(answer)
            if asked[-1] == CONFIRMED_SLOT and answer == "oui":
                return
        self.bench.errors.append(f"{person.sender}: the form never ended ({asked})")


class Questions:
    """Which of the form's questions a bot reply asks, from `domain.yml`'s `utter_ask_*`.

    Each variation of a question's response (every channel, every condition) becomes a
    pattern, its `{placeholders}` matching any text; the last message of a reply that
    matches one names the question.
    """

    def __init__(self, domain: Dict[str, Any]) -> None:
        self.patterns: List[Tuple[re.Pattern, str]] = []
        for name, variations in (domain.get("responses") or {}).items():
            if not name.startswith(ASK_PREFIX):
                continue
            slot = ASK_ALIASES.get(name, name[len(ASK_PREFIX) :])
            for variation in variations:
                text = (variation or {}).get("text")
                if text:
                    parts = re.split(r"\{[^}]*\}", text.strip())
                    pattern = ".+?".join(re.escape(part) for part in parts)
                    self.patterns.append((re.compile(pattern, re.DOTALL), slot))

    def question_of(self, text: str) -> Optional[str]:
        text = text.strip()
        return next((slot for pattern, slot in self.patterns if pattern.fullmatch(text)), None)

    def asked_in(self, reply: Sequence[Dict[str, Any]]) -> Optional[str]:
        """The question of the reply's last message that is one, None if none is."""
        for message in reversed(reply):
            question = self.question_of(message.get("text") or "")
            if question is not None:
                return question
        return None


class Bench:
    """The Passerelle under test: its URLs (one per Rasa process), token and client."""

    def __init__(self, urls: Sequence[str], token: str) -> None:
        self.urls = list(urls)
        self.token = token
        self._turn = itertools.cycle(self.urls)
        self.errors: List[str] = []
        # Questions asked again or unexpected, replies without a question: the assistant's.
        self.surprises: List[str] = []
        self.questions = Questions(load_domain())
        self.client = httpx.AsyncClient(
            timeout=HTTP_TIMEOUT_S, limits=httpx.Limits(max_connections=400)
        )

    def note(self, surprise: str) -> None:
        self.surprises.append(surprise)
        logger.warning("%s", surprise)

    def next_url(self) -> str:
        """The next Rasa process, in turn: one conversation hops between processes."""
        return next(self._turn)

    async def slots(self, sender: str) -> Dict[str, Any]:
        response = await self.client.get(
            f"{self.next_url()}/conversations/{sender}/tracker", params={"token": self.token}
        )
        response.raise_for_status()
        return response.json()["slots"]

    async def check(self, people: Sequence[Person]) -> Tuple[int, int]:
        """(lost, wrong) answers, read back through the tracker API."""
        lost = wrong = 0
        for person in people:
            try:
                slots = await self.slots(person.sender)
            except httpx.HTTPError as error:
                self.errors.append(f"{person.sender} tracker: {error!r}")
                lost += len(person.expected())
                continue
            for slot, value in person.expected().items():
                if slots.get(slot) is None:
                    lost += 1
                elif slots[slot] != value:
                    wrong += 1
                    logger.warning(
                        "%s: %s=%r, expected %r", person.sender, slot, slots[slot], value
                    )
        return lost, wrong


# --- figures ------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def report(label: str, latencies: Sequence[float], wall: float) -> Dict[str, float]:
    figures = {
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "throughput": len(latencies) / wall,
    }
    print(
        f"{label:<44} p50 {ms(figures['p50'])}   p95 {ms(figures['p95'])}"
        f"   {figures['throughput']:6.1f} turns/s   ({len(latencies)} turns, {wall:.1f} s)",
        flush=True,
    )
    return figures


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def pid_listening_on(port: int) -> Optional[int]:
    """The process that listens on 127.0.0.1:`port` or 0.0.0.0:`port` (Linux /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text(encoding="ascii").splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return int(entry.name)
        except OSError:
            continue
    return None


# --- the stock bot ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rasa_command(*args: str) -> List[str]:
    """Rasa's command line, telemetry and error reporting off (rasa_server/cli.py)."""
    return [sys.executable, "-m", "rasa_server.cli", *args]


def stock_environment() -> Dict[str, str]:
    """The stock bot's environment: telemetry off, this project's launcher importable."""
    return {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}


def stock_model() -> Path:
    """The stock bot's model: `rasa init --no-prompt` trains it once into var/bench/stock."""
    models = sorted((STOCK_DIR / "models").glob("*.tar.gz"))
    if models:
        return models[-1]
    print("stock bot          : rasa init --no-prompt (trains once)", flush=True)
    with tempfile.TemporaryDirectory() as work:
        project = Path(work) / "stock"
        project.mkdir()
        subprocess.run(
            rasa_command("init", "--no-prompt", "--init-dir", str(project)),
            cwd=work,
            env=stock_environment(),
            check=True,
            stdout=sys.stderr,
        )
        if STOCK_DIR.exists():
            shutil.rmtree(STOCK_DIR)
        shutil.copytree(project, STOCK_DIR)
    return sorted((STOCK_DIR / "models").glob("*.tar.gz"))[-1]


class Process:
    """A server this bench started, stopped with its process group."""

    def __init__(self, argv: List[str], env: Dict[str, str], cwd: Path, log: Path) -> None:
        self.log = log.open("w", encoding="utf-8")
        self.popen = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_healthy(self, url: str) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not is_healthy(url):
            if self.popen.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start; see {self.log.name}")
            time.sleep(0.5)

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
        self.log.close()


async def stock_user(
    client: httpx.AsyncClient, url: str, turns: int, out: List[float], errors: List[str]
) -> None:
    """One stock user's FAQ turns; a refused or failed request ends that user (counted)."""
    sender = f"stock-{uuid.uuid4().hex[:12]}"
    for text in itertools.islice(itertools.cycle(STOCK_MESSAGES), turns):
        start = time.perf_counter()
        try:
            response = await client.post(
                f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            errors.append(type(error).__name__)
            return
        out.append(time.perf_counter() - start)


async def stock_level(url: str, users: int, turns: int) -> Dict[str, float]:
    latencies: List[float] = []
    errors: List[str] = []
    limits = httpx.Limits(max_connections=max(users, 1))
    async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_S, limits=limits) as client:
        await stock_user(client, url, 2, [], errors)  # warm-up
        start = time.perf_counter()
        await asyncio.gather(
            *(stock_user(client, url, turns, latencies, errors) for _ in range(users))
        )
        wall = time.perf_counter() - start
    label = f"stock bot, {users} users (FAQ)"
    if errors:
        kinds = ", ".join(sorted(set(errors)))
        print(f"{label}: {len(errors)} users stopped by an error ({kinds})", flush=True)
    return report(label, latencies, wall)


def run_stock(levels: Sequence[int], turns: int, out_dir: Path) -> Dict[int, Dict[str, float]]:
    model = stock_model()
    port = free_port()
    server = Process(
        rasa_command("run", "--model", str(model), "--port", str(port), "-i", "127.0.0.1"),
        stock_environment(),
        STOCK_DIR,
        out_dir / "stock.log",
    )
    results: Dict[int, Dict[str, float]] = {}
    try:
        url = f"http://127.0.0.1:{port}"
        server.wait_healthy(f"{url}/")
        results[1] = asyncio.run(stock_level(url, 1, ONE_USER_ROUNDS * 13))
        for users in levels:
            results[users] = asyncio.run(stock_level(url, users, turns))
        print(f"{'stock bot RSS after load':<44} {rss_bytes(server.popen.pid) / 2**20:.0f} MiB")
    finally:
        server.stop()
    return results


# --- Passerelle ---------------------------------------------------------------------------


class Passerelle:
    """Passerelle started by this bench on free ports, as `make run` starts it.

    One Rasa process: the supervisor, with a temporary SQLite store. Several
    (`RASA_PROCESSES`): the supervisor starts them behind nginx, sharing a new PostgreSQL
    database and the Redis lock store.
    """

    def __init__(self, processes: int, db_url: str, redis_url: str, work: Path) -> None:
        self.token = "bench-" + uuid.uuid4().hex
        env = dict(os.environ)
        env.update(
            {
                "RASA_PORT": str(free_port()),
                "ACTION_PORT": str(free_port()),
                "WEB_PORT": str(free_port()),
                "CONSOLE_PORT": str(free_port()),
                "PASSERELLE_DB_URL": db_url or f"sqlite:///{work}/bench.db",
                RASA_TOKEN: self.token,
                "KIOSK_TOKEN": "bench-kiosk-" + uuid.uuid4().hex,
                "PASSERELLE_SECRET_KEY": "bench-key-" + uuid.uuid4().hex,
                "PASSERELLE_RUN_DIR": str(work / "run"),
            }
        )
        if processes > 1:
            env.update(
                {
                    "RASA_PROCESSES": str(processes),
                    "RASA_BACKEND_PORT": str(free_port()),
                    "PASSERELLE_REDIS_URL": redis_url,
                }
            )
        self.settings = load_settings(env)
        self.supervisor = Supervisor(self.settings)
        self.urls = [self.settings.rasa.url]

    def start(self) -> None:
        start = time.perf_counter()
        try:
            self.supervisor.start()
        except BaseException:
            self.supervisor.stop()
            raise
        print(f"{'Passerelle startup':<44} {time.perf_counter() - start:.1f} s", flush=True)

    def rasa_pids(self) -> List[int]:
        ports = self.settings.rasa.backend_ports
        return [pid for pid in map(pid_listening_on, ports) if pid]

    def action_pid(self) -> Optional[int]:
        return pid_listening_on(self.settings.actions.port)

    def stop(self) -> None:
        self.supervisor.stop()


async def one_person(bench: Bench, rounds: int) -> Dict[str, float]:
    """One person rehearsing `rounds` times in a row (a new conversation each time)."""
    latencies: List[float] = []
    start = time.perf_counter()
    for index in range(rounds):
        await Conversation(bench, Person(index), latencies).actualisation()
    return report("Passerelle, 1 person (actualisation)", latencies, time.perf_counter() - start)


async def many_people(bench: Bench, users: int) -> Dict[str, float]:
    """`users` people rehearsing at once; then every answer read back."""
    people = [Person(index) for index in range(users)]
    latencies: List[float] = []
    errors_before, surprises_before = len(bench.errors), len(bench.surprises)
    start = time.perf_counter()
    await asyncio.gather(*(Conversation(bench, p, latencies).actualisation() for p in people))
    wall = time.perf_counter() - start
    figures = report(f"Passerelle, {users} people (actualisation)", latencies, wall)
    lost, wrong = await bench.check(people)
    errors = len(bench.errors) - errors_before
    surprises = bench.surprises[surprises_before:]
    print(
        f"{'  read back through the tracker API':<44} errors {errors}   lost answers {lost}"
        f"   wrong answers {wrong}   ({users * len(people[0].expected())} answers)"
        f"   questions asked again or unexpected {len(surprises)}",
        flush=True,
    )
    for line in (bench.errors[errors_before:] + surprises)[:8]:
        print(f"    {line}")
    return {**figures, "errors": errors, "lost": lost, "wrong": wrong}


async def long_conversation(bench: Bench, turns: int) -> Tuple[float, float]:
    """One conversation of `turns` turns (actualisations and FAQ, over and over).

    Each cycle is the same messages (a rehearsal, then the FAQ turns), so the first and
    the last cycles compare like with like: their medians stand for turn ~10 and ~200.
    """
    person = Person(7)
    latencies: List[float] = []
    conversation = Conversation(bench, person, latencies)
    cycles: List[List[float]] = []
    while len(latencies) < turns:
        first = len(latencies)
        await conversation.actualisation()
        for text in FAQ_MESSAGES:
            await conversation.say(text)
        cycles.append(latencies[first:])
    early, late = statistics.median(cycles[0]), statistics.median(cycles[-1])
    trend = " ".join(f"{statistics.median(c) * 1000:.0f}" for c in cycles)
    print(f"{'long conversation, median per cycle (ms)':<44} {trend}")
    print(
        f"{'long conversation':<44} turns 1-{len(cycles[0])} {ms(early)}"
        f"   turns {len(latencies) - len(cycles[-1]) + 1}-{len(latencies)} {ms(late)}"
        f"   ratio {late / early:.2f} (target <= 1.5)",
        flush=True,
    )
    return early, late


async def run_passerelle(
    bench: Bench, levels: Sequence[int], long_turns: int
) -> Dict[Any, Dict[str, float]]:
    results: Dict[Any, Dict[str, float]] = {}
    async with bench.client:
        await Conversation(bench, Person(999), []).say("bonjour")  # warm-up
        results[1] = await one_person(bench, ONE_USER_ROUNDS)
        for users in levels:
            results[users] = await many_people(bench, users)
        if long_turns:
            early, late = await long_conversation(bench, long_turns)
            results["long"] = {"early": early, "late": late}
    return results


def bench_database(server_url: str) -> str:
    """A new database's URL on `server_url`, which Rasa creates (`login_db`)."""
    return f"{server_url.rstrip('/')}/bench_{uuid.uuid4().hex[:10]}?login_db=postgres"


def drop_database(url: str) -> None:
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    engine = sa.create_engine(
        parsed.set(database="postgres", query={}), isolation_level="AUTOCOMMIT"
    )
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    engine.dispose()


def memory(pids: Sequence[int], action_pid: Optional[int]) -> None:
    for index, pid in enumerate(pids, start=1):
        rss = rss_bytes(pid)
        verdict = "ok" if rss <= 1.5 * GIB else "OVER"
        print(f"{f'Rasa process {index} RSS after load':<44} {rss / 2**20:.0f} MiB ({verdict})")
    if action_pid is not None:
        print(f"{'action server RSS after load':<44} {rss_bytes(action_pid) / 2**20:.0f} MiB")


def compare(stock: Dict[int, Dict[str, float]], ours: Dict[Any, Dict[str, float]]) -> None:
    print("\nagainst the stock bot, same run:")
    one = ours[1]["p50"] / stock[1]["p50"]
    print(f"  1 user turn p50        : {one:.2f} x   (target <= 1.3)")
    for users in sorted(k for k in ours if isinstance(k, int) and k > 1 and k in stock):
        throughput = ours[users]["throughput"] / stock[users]["throughput"]
        p95 = ours[users]["p95"] / stock[users]["p95"]
        print(
            f"  {users:>3} users throughput  : {throughput:.2f} x   (target >= 1.0)"
            f"   p95 {p95:.2f} x   (target <= 1.0)"
        )


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[50], help="people at once")
    parser.add_argument("--processes", type=int, default=1, help="Rasa processes to start")
    parser.add_argument("--stock-turns", type=int, default=12, help="FAQ turns per stock user")
    parser.add_argument(
        "--long-turns", type=int, default=LONG_CONVERSATION_TURNS, help="0: no long conversation"
    )
    parser.add_argument("--skip-stock", action="store_true", help="no stock bot this run")
    parser.add_argument("--url", help="a running Passerelle: Rasa's URL(s), comma-separated")
    parser.add_argument("--token", default=os.environ.get(RASA_TOKEN, ""), help="API token")
    parser.add_argument("--rasa-ports", type=int, nargs="*", default=[], help="for memory")
    parser.add_argument(
        "--db-url",
        default="postgresql://postgres@127.0.0.1:5432",
        help="PostgreSQL server for --processes above 1 (a database is made for the run)",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/1")
    args = parser.parse_args()

    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    # The servers' logs (they inherit stderr) go to a file; the figures stay on stdout.
    log = (out_dir / "load.log").open("w", encoding="utf-8")
    os.dup2(log.fileno(), sys.stderr.fileno())
    print(f"servers' logs: {out_dir / 'load.log'}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    stock = {} if args.skip_stock else run_stock(args.users, args.stock_turns, out_dir)

    with tempfile.TemporaryDirectory() as work:
        passerelle: Optional[Passerelle] = None
        if args.url:
            urls = args.url.split(",")
            token = args.token or load_settings().rasa.token
            pids = [pid for pid in map(pid_listening_on, args.rasa_ports) if pid]
            action_pid = None
        else:
            db_url = bench_database(args.db_url) if args.processes > 1 else ""
            passerelle = Passerelle(args.processes, db_url, args.redis_url, Path(work))
            passerelle.start()
            urls, token = passerelle.urls, passerelle.token
        try:
            bench = Bench(urls, token)
            ours = asyncio.run(run_passerelle(bench, args.users, args.long_turns))
            if passerelle is not None:
                pids, action_pid = passerelle.rasa_pids(), passerelle.action_pid()
            memory(pids, action_pid)
        finally:
            if passerelle is not None:
                passerelle.stop()
                if args.processes > 1:
                    drop_database(passerelle.settings.store.db_url)
    if stock:
        compare(stock, ours)


if __name__ == "__main__":
    main()
