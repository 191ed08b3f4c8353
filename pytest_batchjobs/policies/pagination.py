"""Pages as AWS cuts them, and a record of how the client walked them.

``batchjobs_fake.pagination`` sets how pages are cut (``max_page_size``, the token
lifetime, ``empty_pages``) and keeps every pagination *sequence* (or the newest
``limit``): a first list call and the calls that presented the tokens it (and its
followers) issued. Assertions on the sequences catch the usual bugs of code that
lists: stopping after the first page, resending a token, asking for pages bigger than
it can handle.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .. import arguments
from ..documented import Documented
from ..errors import docs_link
from ..wire.models import boto3_name
from .operations import canonical
from .tokens import InvalidToken, Position, TokenCodec

DOCS = docs_link("pagination")


@dataclass(slots=True)
class Page:
    """One page served: the token it was asked with, the items, the token it issued."""

    number: int
    """Its place in its sequence, from 0."""
    time: _dt.datetime
    """When it was served, in fake time."""
    token_in: str | None
    """The ``nextToken`` the call sent (``None``: the first call)."""
    token_out: str | None
    """The ``nextToken`` the page carried (``None``: the last page)."""
    items: list[str]
    """The ARNs of the jobs it held, in order."""
    max_results: int | None
    """The ``maxResults`` the call asked for, if any."""
    empty_on_purpose: bool = False
    """Whether it is one of the empty pages ``pagination.empty_pages`` sends."""


@dataclass(slots=True)
class PageSequence(Documented):
    """A first list call and every call that continued it with an issued token (what
    ``pagination.sequences`` lists).

    ``key`` and ``describe()``, which the assertions' messages use, are not shown:
    earlier releases documented them, and code written then still reads them.
    """

    _documented = (
        "service",
        "operation",
        "region",
        "filters",
        "pages",
        "items",
        "exhausted",
        "reused",
    )

    service: str
    """The service called (``bedrock``)."""
    operation: str
    """The list operation, in API casing."""
    region: str
    """The region called."""
    filters: dict[str, Any]
    """The first call's members other than the page's (``statusEquals``, ...)."""
    pages: list[Page] = field(default_factory=list)
    """The pages served, in order."""
    _sent: dict[str, int] = field(default_factory=dict)
    _backtracked: set[str] = field(default_factory=set)

    @property
    def reused(self) -> dict[str, int]:
        """Tokens sent again the way a buggy client does.

        boto3's paginator, resuming inside a page it cut short with ``MaxItems``,
        sends that page's token a second time and then goes on to the next page. A
        token sent a third time, sent again after the client had gone on, or sent
        twice without the client ever going on, is a bug.
        """
        followed = {page.token_in for page in self.pages}
        reused = {}
        for token, times in self._sent.items():
            if times < 2:
                continue
            last = [page for page in self.pages if page.token_in == token][-1]
            stuck = last.token_out is not None and last.token_out not in followed
            if times > 2 or token in self._backtracked or stuck:
                reused[token] = times
        return reused

    @property
    def key(self) -> str:
        """The query: operation, region and filters."""
        filters = sorted((k, str(v)) for k, v in self.filters.items() if v is not None)
        return f"{self.service} {self.operation} {self.region} {filters}"

    @property
    def exhausted(self) -> bool:
        """Whether the client reached a page without a ``nextToken``."""
        return any(page.token_out is None for page in self.pages)

    @property
    def items(self) -> list[str]:
        """Every item id served, in order (ARNs)."""
        return [item for page in self.pages for item in page.items]

    def describe(self, number: int) -> str:
        """The sequence for failure messages, a page a line."""
        filters = ", ".join(f"{k}={v!r}" for k, v in self.filters.items() if v is not None)
        lines = [
            f"Sequence {number} of {self.operation} ({self.service}, {self.region}"
            f"{', ' + filters if filters else ''}): {len(self.pages)} page(s) fetched, "
            f"{len(self.items)} item(s) seen"
        ]
        if self.pages and self.pages[0].token_in is not None:
            lines.append(
                "  (it began with a nextToken of a sequence no longer recorded: one dropped "
                "to stay within pagination.limit, or one from before a reset)"
            )
        followed = {page.token_in for page in self.pages}
        for page in self.pages:
            asked = "first call" if page.token_in is None else f"nextToken {_short(page.token_in)}"
            issued = (
                "no nextToken (the end)"
                if page.token_out is None
                else f"nextToken {_short(page.token_out)}"
                + ("" if page.token_out in followed else " -> never followed")
            )
            empty = " (an empty page, as AWS may send)" if page.empty_on_purpose else ""
            lines.append(
                f"  page {page.number + 1}: {asked}, maxResults={page.max_results}, "
                f"{len(page.items)} item(s){empty}, {issued}"
            )
        return "\n".join(lines)


@dataclass(slots=True)
class PagePolicy:
    """How pages are cut.

    ``max_page_size``: the most items a page holds, whatever ``maxResults`` says
    (AWS may return fewer items than asked for). ``token_lifetime``: how long a token
    stays valid, in fake time (undocumented for both services; 24 h by default,
    ``None`` for ever; a number is seconds). ``empty_pages``: send an empty page with
    a ``nextToken`` before every other page, as some AWS APIs do, to catch clients
    that stop on an empty page.

    Each field is checked whenever it is set, here or through ``pagination``: a
    wrong type is a ``TypeError``, a wrong value a ``ValueError``.
    """

    max_page_size: int | None = None
    token_lifetime: _dt.timedelta | None = _dt.timedelta(hours=24)
    empty_pages: bool = False

    def __setattr__(self, name: str, value: Any) -> None:
        check = _POLICY_FIELDS.get(name)
        if check is None:
            raise AttributeError(
                f"PagePolicy has no field {name!r}; its fields are {', '.join(_POLICY_FIELDS)}"
            )
        object.__setattr__(self, name, check(f"pagination.{name}", value))


def _page_size(where: str, value: Any) -> int | None:
    """A page holds at least one item."""
    return arguments.integer(where, value, minimum=1, nullable=True)  # type: ignore[no-any-return]


def _token_lifetime(where: str, value: Any) -> _dt.timedelta | None:
    """A token born expired would make every second page an error."""
    return arguments.duration(where, value, nullable=True)  # type: ignore[no-any-return]


_POLICY_FIELDS = {
    "max_page_size": _page_size,
    "token_lifetime": _token_lifetime,
    "empty_pages": arguments.flag,
}


class Pager:
    """Serves pages as the backends cut them: reads and issues tokens, and records every
    page in its sequence. The request path's side of :class:`Pagination`.

    ``limit`` bounds the sequences kept, as ``Journal.limit`` bounds the calls: beyond
    it the sequence that began first goes, with its tokens' entries, and ``dropped``
    counts it. Tokens are signed, not remembered, so a client can still continue a
    sequence let go: its next page begins a new recorded sequence.
    """

    def __init__(self, policy: PagePolicy, limit: int | None = None) -> None:
        self.policy = policy
        self._initial = dataclasses.replace(policy)
        self._codec = TokenCodec()
        self._sequences: deque[PageSequence] = deque()
        self._by_token: dict[str, PageSequence] = {}
        self._dropped = 0
        self._limit: int | None = None
        # An exploration's page sizes: asked for each page; None, or a None answer: as asked.
        self.plan: Callable[[], int | None] | None = None
        self._lock = threading.Lock()
        self.limit = limit

    @property
    def sequences(self) -> list[PageSequence]:
        with self._lock:
            return list(self._sequences)

    def numbered(self) -> list[tuple[int, PageSequence]]:
        """The sequences kept, each with its number since the last reset (from 1): the
        numbers of the sequences let go are not given again."""
        with self._lock:
            return list(enumerate(self._sequences, self._dropped + 1))

    @property
    def limit(self) -> int | None:
        """The most sequences kept (those that began last); ``None`` keeps every one."""
        return self._limit

    @limit.setter
    def limit(self, limit: int | None) -> None:
        if limit is not None and not (
            arguments.is_integer(limit) and 1 <= limit <= arguments.INT64
        ):
            raise ValueError(
                "pagination.limit must be an integer >= 1, or None to keep every sequence; "
                f"got {limit!r}"
            )
        with self._lock:
            self._limit = limit
            self._trim()

    @property
    def dropped(self) -> int:
        """How many sequences were let go to stay within ``limit`` (since the last reset)."""
        return self._dropped

    def reset(self) -> None:
        """Forget the sequences (and the count of dropped ones), and put the page controls
        back as they were at start; the limit stays (it bounds memory, it cuts no page)."""
        with self._lock:
            self._sequences.clear()
            self._by_token.clear()
            self._dropped = 0
            self.plan = None
            self.policy = dataclasses.replace(self._initial)

    def _trim(self) -> None:
        """Let the oldest sequences go until at most ``limit`` are left (lock held)."""
        while self._limit is not None and len(self._sequences) > self._limit:
            gone = self._sequences.popleft()
            for page in gone.pages:
                for token in (page.token_in, page.token_out):
                    if token is not None and self._by_token.get(token) is gone:
                        del self._by_token[token]
            self._dropped += 1

    def position(self, token: str | None, query: dict[str, Any], now: _dt.datetime) -> Position:
        """Where a list call continues; raises :class:`InvalidToken`."""
        if token is None:
            return Position(None, 0)
        return self._codec.read(token, query, now, self.policy.token_lifetime)

    def issue(self, query: dict[str, Any], position: Position, now: _dt.datetime) -> str:
        """A token continuing ``query`` at ``position``."""
        return self._codec.issue(query, position, now)

    def page_size(self, max_results: int | None, default: int) -> int:
        """How many items the page may hold (0: an empty page, continued by a token).

        An exploration's :attr:`plan` may cut it shorter (AWS may send fewer items than
        asked, or none with a ``nextToken``), never longer.
        """
        limit = max_results or default
        cap = self.policy.max_page_size
        limit = limit if cap is None else min(limit, cap)
        plan = self.plan
        planned = None if plan is None else plan()
        return limit if planned is None else min(limit, planned)

    def record(
        self,
        *,
        service: str,
        operation: str,
        region: str,
        filters: dict[str, Any],
        page: Page,
    ) -> None:
        """Add a served page to its sequence (a new one for a first call)."""
        with self._lock:
            sequence = self._by_token.get(page.token_in) if page.token_in else None
            if sequence is None:
                sequence = PageSequence(service, operation, region, dict(filters))
                self._sequences.append(sequence)
                if page.token_in is not None:
                    # A token of a sequence let go (or from before a reset): sent again,
                    # it joins this sequence, so assert_no_token_reuse still sees it.
                    self._by_token[page.token_in] = sequence
            if page.token_in is not None:
                token = page.token_in
                sequence._sent[token] = sequence._sent.get(token, 0) + 1
                followed = {p.token_in for p in sequence.pages}
                if sequence._sent[token] > 1 and any(
                    p.token_in == token and p.token_out in followed for p in sequence.pages
                ):
                    sequence._backtracked.add(token)
            sequence.pages.append(page)
            if page.token_out is not None:
                self._by_token[page.token_out] = sequence
            self._trim()


class Pagination(arguments.Settings):
    """``batchjobs_fake.pagination``: page controls, sequences and their assertions.

    Its settings are checked when set (``PagePolicy`` says how), and a name it does not
    have (``pagination.max_pagesize = 1``) is an ``AttributeError``, not a new attribute
    that nothing reads.
    """

    def __init__(self, pager: Pager, list_operations: Iterable[str]) -> None:
        self._pager = pager
        self._list_operations = tuple(list_operations)

    # -- controls ---------------------------------------------------------------------

    @property
    def policy(self) -> PagePolicy:
        """All the page controls at once (``max_page_size``, ``token_lifetime``,
        ``empty_pages``); assign a :class:`PagePolicy` to set them together."""
        return self._pager.policy

    @policy.setter
    def policy(self, value: PagePolicy) -> None:
        if not isinstance(value, PagePolicy):
            arguments.wrong_type("pagination.policy", "a PagePolicy", value)
        self._pager.policy = value

    @property
    def max_page_size(self) -> int | None:
        """The most items any list page holds, whatever ``maxResults`` asks for."""
        return self.policy.max_page_size

    @max_page_size.setter
    def max_page_size(self, value: int | None) -> None:
        self.policy.max_page_size = value

    @property
    def token_lifetime(self) -> _dt.timedelta | None:
        """How long (fake time) a ``nextToken`` stays valid; ``None``: for ever."""
        return self.policy.token_lifetime

    @token_lifetime.setter
    def token_lifetime(self, value: _dt.timedelta | float | None) -> None:
        self.policy.token_lifetime = value  # type: ignore[assignment]  # seconds become one

    @property
    def empty_pages(self) -> bool:
        """Whether every other page is empty (with a ``nextToken``)."""
        return self.policy.empty_pages

    @empty_pages.setter
    def empty_pages(self, value: bool) -> None:
        self.policy.empty_pages = value

    @property
    def sequences(self) -> list[PageSequence]:
        """Every pagination sequence so far (the newest ``limit``), in the order they
        began."""
        return self._pager.sequences

    @property
    def limit(self) -> int | None:
        """The most sequences kept (those that began last); ``None`` (the default) keeps
        every one, since the assertions read them. Lowering it drops the oldest at once."""
        return self._pager.limit

    @limit.setter
    def limit(self, limit: int | None) -> None:
        self._pager.limit = limit

    @property
    def dropped(self) -> int:
        """How many sequences were let go to stay within ``limit`` (since the last reset)."""
        return self._pager.dropped

    def reset(self) -> None:
        """Forget the sequences (and the count of dropped ones), and put the page controls
        back as they were at start; ``limit`` stays."""
        self._pager.reset()

    # -- assertions -------------------------------------------------------------------

    def assert_exhausted(self, operation: str | None = None) -> None:
        """Assert that every listing (of ``operation``) was followed to its last page.

        A listing is a query: operation, region and filters. It passes when one of its
        sequences reached a page without a ``nextToken``, so a paginator that stops
        early and later starts again from the top (boto3 with ``MaxItems``) passes.
        """
        __tracebackhide__ = True
        name = (
            None
            if operation is None
            else canonical(operation, self._list_operations, what="list operation")
        )
        numbered = [
            (number, s)
            for number, s in self._pager.numbered()
            if name is None or s.operation == name
        ]
        if not numbered:
            happened = (
                "none of the sequences kept is of it" if self.dropped else "it was never called"
            )
            raise AssertionError(
                f"pytest-batchjobs: expected {name or 'a list operation'} to be paginated, "
                f"but {happened}.{self._dropped_note()}\nSee {DOCS}"
            )
        finished = {s.key for _, s in numbered if s.exhausted}
        unfinished = [(number, s) for number, s in numbered if s.key not in finished]
        if unfinished:
            shown = "\n".join(s.describe(number) for number, s in unfinished)
            operations = sorted({s.operation for _, s in unfinished})
            verb = "was" if len(operations) == 1 else "were"
            paginators = " / ".join(
                f"client.get_paginator({boto3_name(op)!r})" for op in operations
            )
            raise AssertionError(
                f"pytest-batchjobs: {' and '.join(operations)} {verb} not paginated to the "
                f"end: {len(unfinished)} of {len(numbered)} sequence(s) stopped while the "
                f"last page still had a nextToken.\n{shown}\n"
                "Expected: every nextToken a response carries is sent back, until a "
                "response has none (a page may be empty and still have one).\n"
                "Fix the client: loop while the response has a nextToken, passing it as "
                f"nextToken in the next call, or use {paginators}.{self._dropped_note()}"
                f"\nSee {DOCS}"
            )

    def assert_no_token_reuse(self) -> None:
        """Assert that no ``nextToken`` was sent more than once."""
        __tracebackhide__ = True
        reused = [
            (n, s, token, times)
            for n, s in self._pager.numbered()
            for token, times in s.reused.items()
        ]
        if reused:
            shown = "\n".join(
                f"  {s.operation} token {_short(token)} was sent {times} times "
                f"(sequence {n}, {s.region})"
                for n, s, token, times in reused
            )
            details = "\n".join(s.describe(n) for n, s, _, _ in reused)
            raise AssertionError(
                "pytest-batchjobs: a nextToken was sent more than once:\n"
                f"{shown}\n{details}\n"
                "Expected each token to be sent once (boto3's paginator may send one twice "
                "to resume a page it cut short): a resent token re-reads a page, so the "
                "client sees its items twice (or loops for ever).\n"
                "Fix the client: replace the token with the nextToken of the newest "
                f"response before each call.{self._dropped_note()}\nSee {DOCS}"
            )

    def assert_max_results(self, operation: str, at_most: int) -> None:
        """Assert that every call of ``operation`` asked for at most ``at_most`` items."""
        __tracebackhide__ = True
        name = canonical(operation, self._list_operations, what="list operation")
        arguments.integer("assert_max_results() at_most", at_most)
        offending = [
            (n, s, page)
            for n, s in self._pager.numbered()
            if s.operation == name
            for page in s.pages
            if page.max_results is None or page.max_results > at_most
        ]
        if offending:
            shown = "\n".join(
                f"  sequence {n}, page {page.number + 1}: maxResults="
                + (
                    "not set (the service default)"
                    if page.max_results is None
                    else str(page.max_results)
                )
                for n, _, page in offending
            )
            raise AssertionError(
                f"pytest-batchjobs: expected every {name} call to ask for at most "
                f"{at_most} items (maxResults <= {at_most}), but {len(offending)} did not:\n"
                f"{shown}\nFix the client: pass maxResults={at_most} (or "
                f"PaginationConfig={{'PageSize': {at_most}}} to a paginator)."
                f"{self._dropped_note()}\nSee {DOCS}"
            )

    def _dropped_note(self) -> str:
        dropped = self.dropped
        if not dropped:
            return ""
        limit = self.limit
        kept = "" if limit is None else f" (they keep the newest {limit})"
        return (
            f"\nThe pagination records dropped {dropped} older sequences{kept}: "
            "pagination.limit = None keeps every sequence."
        )


def _short(token: str) -> str:
    return repr(token if len(token) <= 16 else f"{token[:8]}...{token[-6:]}")


__all__ = [
    "InvalidToken",
    "Page",
    "PagePolicy",
    "PageSequence",
    "Pager",
    "Pagination",
]
