"""The soak's load: virtual users reading pages and the API, and replying with tags, editing,
deleting and endorsing through the API with tokens; each keeps a ledger of what the server
acknowledged, for the lost-writes check."""

import random
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import requests

THINK_SECONDS = (0.5, 2.0)  # a user's pause between two requests
TIMEOUT = (3, 30)  # seconds to connect, to read
RATE_BUDGET = 15  # writes a minute of each rate-limited kind, under the app's 20
ACTIONS = {"page": 30, "api read": 25, "reply": 20, "edit": 12, "delete": 5, "endorse": 8}
NEW_CLAIMS = 12  # claims each topic's users may create by text, then tag again by text


@dataclass(frozen=True)
class PostState:
    """A post as its author last sent it; a tag names its claim by id or by text."""

    body: str
    response: str
    state: str
    tags: frozenset  # of (claim id or text, stance)


@dataclass
class Expected:
    """What a row may hold: the state last acknowledged, states sent after it that got no
    answer (saved or not, nobody can tell), and states refused with a 503 (never saved)."""

    acknowledged: object
    maybe: list = field(default_factory=list)
    refused: list = field(default_factory=list)

    def settle(self, status: int | None, state) -> None:
        if status is not None and status < 300:
            self.acknowledged, self.maybe, self.refused = state, [], []
        elif status == 503:
            self.refused.append(state)
        elif status is None or status >= 500:
            self.maybe.append(state)


@dataclass
class Ledger:
    replies: dict = field(default_factory=dict)  # post id -> Expected of PostState
    unanswered: list = field(default_factory=list)  # bodies of replies never answered
    refused: list = field(default_factory=list)  # bodies of replies answered 503
    endorsements: dict = field(default_factory=dict)  # claim id -> Expected of a stance


@dataclass(frozen=True)
class Outcome:
    started: float  # time.time()
    seconds: float
    kind: str
    method: str
    path: str
    status: int | None  # None: no answer (refused, reset, timed out)
    error: str = ""


@dataclass
class ThreadInfo:
    id: int
    topic: str  # slug
    posts: list  # ids of posts one may answer
    claims: list  # ids of the topic's claims

    def new_claims(self) -> list[str]:
        return [f"Soak claim {number} of {self.topic}" for number in range(1, NEW_CLAIMS + 1)]


class World:
    """What every user may read and answer, grown with each acknowledged reply."""

    def __init__(self, threads: list[ThreadInfo]):
        self.threads = threads
        self._lock = threading.Lock()

    def add_post(self, thread: ThreadInfo, post_id: int) -> None:
        with self._lock:
            thread.posts.append(post_id)

    def remove_post(self, thread: ThreadInfo, post_id: int) -> None:
        """A tombstone takes no replies (those already chosen get a 400)."""
        with self._lock:
            thread.posts.remove(post_id)

    def some_post(self, thread: ThreadInfo, rng: random.Random) -> int:
        """Mostly one of the latest posts, so chains grow deep enough to span segments."""
        with self._lock:
            recent = thread.posts[-20:] if rng.random() < 0.4 else thread.posts
            return rng.choice(recent)


class VirtualUser:
    def __init__(self, name: str, token: str, base: str, world: World, *, seed: int,
                 deadline: float, max_requests: int, stop: threading.Event):  # fmt: skip
        self.name, self.token, self.base, self.world = name, token, base, world
        self.rng = random.Random(seed)
        self.deadline, self.max_requests, self.stop = deadline, max_requests, stop
        self.session = requests.Session()
        self.ledger = Ledger()
        self.outcomes: list[Outcome] = []
        self.live: list[tuple[ThreadInfo, int]] = []  # own posts not deleted
        self.written = 0
        self.recent = {"post": deque(), "endorse": deque()}

    def run(self) -> None:
        actions = {
            "page": self.read_page, "api read": self.read_api, "reply": self.reply,
            "edit": self.edit, "delete": self.delete, "endorse": self.endorse,
        }  # fmt: skip
        while time.time() < self.deadline and len(self.outcomes) < self.max_requests:
            (action,) = self.rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))
            actions[action]()
            if self.stop.wait(self.rng.uniform(*THINK_SECONDS)):
                return

    def call(self, kind: str, method: str, path: str, *, payload=None, token=True):
        headers = {"Authorization": f"Token {self.token}"} if token else {}
        started, clock = time.time(), time.perf_counter()
        try:
            response = self.session.request(
                method, self.base + path, json=payload, headers=headers, timeout=TIMEOUT,
                allow_redirects=False,
            )  # fmt: skip
            status = response.status_code
            error = "" if status < 400 else " ".join(response.text[:160].split())
        except requests.RequestException as failure:
            response, status, error = None, None, type(failure).__name__
        elapsed = time.perf_counter() - clock
        self.outcomes.append(Outcome(started, elapsed, kind, method, path, status, error))
        return status, response

    def read_page(self) -> None:
        thread = self.rng.choice(self.world.threads)
        post = self.world.some_post(thread, self.rng)
        path = self.rng.choice([
            "/", f"/topics/{thread.topic}/", f"/threads/{thread.id}/", f"/posts/{post}/",
            f"/topics/{thread.topic}/map/", f"/claims/{self.rng.choice(thread.claims)}/",
        ])  # fmt: skip
        self.call("page", "GET", path, token=False)

    def read_api(self) -> None:
        thread = self.rng.choice(self.world.threads)
        post = self.world.some_post(thread, self.rng)
        path = self.rng.choice([
            f"/api/threads/{thread.id}/posts/?page_size=100", f"/api/topics/{thread.topic}/map/",
            f"/api/claims/{self.rng.choice(thread.claims)}/", f"/api/posts/{post}/",
            f"/api/topics/{thread.topic}/threads/",
        ])  # fmt: skip
        self.call("api read", "GET", path, token=self.rng.random() < 0.5)

    def reply(self) -> None:
        if not self.within_budget("post"):
            return self.read_api()
        thread = self.rng.choice(self.world.threads)
        state = self.some_state("reply", thread)
        payload = {"parent": self.world.some_post(thread, self.rng), **self.fields(state)}
        status, answer = self.call("reply", "POST", f"/api/threads/{thread.id}/posts/",
                                   payload=payload)  # fmt: skip
        if status == 201:
            post_id = answer.json()["id"]
            self.ledger.replies[post_id] = Expected(state)
            self.live.append((thread, post_id))
            self.world.add_post(thread, post_id)
        elif status == 503:
            self.ledger.refused.append(state.body)
        elif status is None or status >= 500:
            self.ledger.unanswered.append(state.body)

    def edit(self) -> None:
        """Body, response and tags sent together: the state after is the request's alone."""
        if not self.live:
            return self.reply()
        thread, post_id = self.rng.choice(self.live)
        state = self.some_state("edit", thread)
        status, _ = self.call("edit", "PATCH", f"/api/posts/{post_id}/", payload=self.fields(state))
        self.ledger.replies[post_id].settle(status, state)
        if status in (400, 403, 404):  # e.g. deleted by an earlier request that got no answer
            self.live.remove((thread, post_id))

    def delete(self) -> None:
        # Only posts whose state is known: a tombstone keeps the body it had.
        certain = [(t, p) for t, p in self.live if not self.ledger.replies[p].maybe]
        if len(certain) < 3:
            return self.read_page()
        thread, post_id = self.rng.choice(certain)
        expected = self.ledger.replies[post_id]
        state = PostState(**{**expected.acknowledged.__dict__, "state": "deleted"})
        status, _ = self.call("delete", "DELETE", f"/api/posts/{post_id}/")
        expected.settle(status, state)
        if status is not None and status < 500:
            self.live.remove((thread, post_id))
        if status == 200:
            self.world.remove_post(thread, post_id)

    def endorse(self) -> None:
        if not self.within_budget("endorse"):
            return self.read_page()
        thread = self.rng.choice(self.world.threads)
        claim = self.rng.choice(thread.claims)
        expected = self.ledger.endorsements.setdefault(claim, Expected(None))
        path = f"/api/claims/{claim}/endorsement/"
        if expected.acknowledged is not None and self.rng.random() < 0.3:
            status, _ = self.call("endorse", "DELETE", path)
            expected.settle(200 if status == 404 else status, None)  # 404: there was none
        else:
            stance = self.rng.choice(["supports", "opposes"])
            status, _ = self.call("endorse", "PUT", path, payload={"stance": stance})
            expected.settle(status, stance)

    def within_budget(self, kind: str) -> bool:
        """Stay under the app's rate limits: a 429 would only measure the limiter."""
        recent, now = self.recent[kind], time.time()
        while recent and recent[0] < now - 60:
            recent.popleft()
        if len(recent) >= RATE_BUDGET:
            return False
        recent.append(now)
        return True

    def some_state(self, what: str, thread: ThreadInfo) -> PostState:
        """A new body, a response and tags, all sent whole."""
        return PostState(self.body(what), self.some_response(), "visible", self.some_tags(thread))

    def body(self, what: str) -> str:
        self.written += 1
        return f"Soak {what} {self.name}-{self.written}: " + self.rng.choice([
            "Training copies the work only in passing.", "A style is not property.",
            "Consent matters when a living artist objects.", "See the post above: *fair use*.",
        ])  # fmt: skip

    def some_response(self) -> str:
        return self.rng.choice(["agree", "disagree", "neutral"])

    def some_tags(self, thread: ThreadInfo) -> frozenset:
        count = self.rng.choices([0, 1, 2], weights=[3, 5, 2])[0]
        claims = self.rng.sample([*thread.claims, *thread.new_claims()], count)
        return frozenset((claim, self.rng.choice(["supports", "opposes"])) for claim in claims)

    @staticmethod
    def fields(state: PostState) -> dict:
        tags = [{"claim": claim, "stance": stance} for claim, stance in sorted(state.tags, key=str)]
        return {"body": state.body, "response": state.response, "tags": tags}
