"""One page of a kind's jobs, as the service cuts it, continued by opaque tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from ...policies.pagination import Page
from ...policies.tokens import InvalidToken, Position
from ...wire.errors import ServiceError

if TYPE_CHECKING:
    from ...policies.pagination import Pager
    from ...policies.tokens import Key
    from .context import CallContext
    from .spec import Service
    from .store import JobStore, Window

T = TypeVar("T")


def page(
    pager: Pager,
    service: Service,
    operation: str,
    jobs: JobStore[Any],
    context: CallContext,
    params: dict[str, Any],
    filters: dict[str, Any],
    accept: Callable[[Any], bool],
    descending: bool,
    default_size: int,
    order: Callable[[Any], Any] | None = None,
    window: Window = (None, None),
    status: str | None = None,
    fixed_order: bool = False,
) -> tuple[list[Any], str | None]:
    """One page of ``jobs`` that ``accept`` lets through, and the token of the next.

    ``filters`` are the query's own parameters: a token is only valid for the same
    operation, account, region, order and filters. ``order`` sorts by something other
    than creation (a name, a status): the jobs are sorted by it, then by their key,
    and a token continues after the last job of its page where that job sorts now.
    ``window`` bounds the keys that can hold an accepted job (from a creation-time
    filter, :func:`~.store.created_window`): the rest are not read. ``status`` is the
    status ``accept`` requires at the call's now, if any: jobs that ended in another
    are not read either. ``fixed_order``: ``order`` reads something a job keeps for
    life (its name), so the store keeps the jobs in that order instead of sorting them
    for each page (:meth:`~.store.JobStore.ranked`).
    """
    query = {
        "operation": operation,
        "account": context.account,
        "region": context.region,
        "descending": descending,
        **filters,
    }
    token = params.get("nextToken")
    try:
        position = pager.position(token, query, context.now)
    except InvalidToken as error:
        raise ServiceError(service.token_error, f"{service.token_message} ({error}).") from None
    if order is None:
        candidates = jobs.walk(
            descending=descending,
            after=position.key,
            accept=accept,
            window=window,
            status=None if status is None else (status, context.now),
        )
    else:
        candidates = _ordered(jobs, position.key, accept, order, descending, window, fixed_order)
    empty = pager.policy.empty_pages and position.page % 2 == 0
    limit = 0 if empty else pager.page_size(params.get("maxResults"), default_size)
    if limit == 0:
        first = next(candidates, None)
        items: list[Any] = []
        resume: Position | None = position if first is not None else None
    else:
        items, last = cut_page(candidates, limit, lambda job: job.key)
        resume = None if last is None else Position(last, position.page)
    next_token = None
    if resume is not None:
        next_token = pager.issue(query, Position(resume.key, position.page + 1), context.now)
    pager.record(
        service=service.name,
        operation=operation,
        region=context.region,
        filters=filters,
        page=Page(
            number=position.page,
            time=context.now,
            token_in=token,
            token_out=next_token,
            items=[job.ident for job in items],
            max_results=params.get("maxResults"),
            empty_on_purpose=limit == 0 and next_token is not None,
        ),
    )
    return items, next_token


def _ordered(
    jobs: JobStore[Any],
    after: Key | None,
    accept: Callable[[Any], bool],
    order: Callable[[Any], Any],
    descending: bool,
    window: Window,
    fixed: bool,
) -> Iterator[Any]:
    """The accepted jobs sorted by ``order`` then key, past the job whose key is
    ``after``: read from the store's ranking when the order is ``fixed``, else sorted
    (O(n log n) a page: fine for the thousands a test lists)."""
    if fixed:
        last = None if after is None else jobs.at_key(after)
        if after is not None and last is None:  # the token's job is gone (a reset)
            return iter(())
        low, high = window
        return (
            job
            for job in jobs.ranked(order, descending=descending, after=last)
            if (low is None or job.key >= low) and (high is None or job.key <= high) and accept(job)
        )

    def sort_key(job: Any) -> tuple[Any, Key]:
        return (order(job), job.key)

    ranked = sorted(
        (job for job in jobs.between(window) if accept(job)), key=sort_key, reverse=descending
    )
    if after is None:
        return iter(ranked)
    last = jobs.at_key(after)
    if last is None:  # the token's job is gone (a reset): nothing sorts after it
        return iter(())
    bound = sort_key(last)
    if descending:
        return (job for job in ranked if sort_key(job) < bound)
    return (job for job in ranked if sort_key(job) > bound)


def cut_page(
    candidates: Iterator[T], limit: int, key_of: Callable[[T], Key]
) -> tuple[list[T], Key | None]:
    """The first ``limit`` candidates, and the key to continue from if more remain."""
    items: list[T] = []
    for item in candidates:
        if len(items) == limit:
            return items, key_of(items[-1])
        items.append(item)
    return items, None
