"""A service's tag operations (TagResource, UntagResource, ListTagsForResource), for all
its kinds.

A tag operation names a resource by its ARN; its resource type (``model-invocation-job``,
``batch-inference-job``) says which of the service's job kinds owns it, and that kind
finds the job (or answers its own ResourceNotFoundException). An ARN of no kind's is
another resource of the service, not this fake's (:class:`~.context.NotOwned`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ...wire.errors import ServiceError
from .context import NotOwned

if TYPE_CHECKING:
    from .backend import KindBackend
    from .context import CallContext
    from .spec import Service, TagStyle

MAX_TAGS = 200


class Tagging:
    """The tag operations of one service, over the backends of its kinds."""

    def __init__(
        self, service: Service, style: TagStyle, backends: Mapping[str, KindBackend[Any]]
    ) -> None:
        self.service = service
        self.style = style
        self._backends = backends  # by kind name
        self._arn, self._key, self._value = style.arn_member, style.key, style.value

    def handlers(self) -> dict[str, Callable[[CallContext, dict[str, Any]], dict[str, Any]]]:
        """The handler of each tag operation."""
        style = self.style
        return {
            style.tag: self.tag_resource,
            style.untag: self.untag_resource,
            style.list: self.list_tags_for_resource,
        }

    def owner(self, arn: str) -> KindBackend[Any]:
        """The backend of the kind whose jobs have ARNs like ``arn``."""
        kind = self.service.owner_of(arn)
        if kind is None:
            raise NotOwned(arn)
        return self._backends[kind.name]

    def tag_resource(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        backend = self.owner(params[self._arn])
        with backend.lock:
            job = backend.find_arn(context, params[self._arn])
            given = params[self.style.tags_member]
            added = {tag[self._key]: tag[self._value] for tag in given}
            merged = {**job.tags, **added}
            if len(merged) > MAX_TAGS:
                fields = {"resourceName": job.arn} if self.style.names_resource else {}
                raise ServiceError(
                    "TooManyTagsException",
                    f"Resource {job.arn} would have {len(merged)} tags; the limit is {MAX_TAGS}.",
                    **fields,
                )
            job.tags = merged
        return {self.style.tags_member: given} if self.style.echoes_tags else {}

    def untag_resource(self, context: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        backend = self.owner(params[self._arn])
        with backend.lock:
            job = backend.find_arn(context, params[self._arn])
            for key in params[self.style.keys_member]:
                job.tags.pop(key, None)
        return {}

    def list_tags_for_resource(
        self, context: CallContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        backend = self.owner(params[self._arn])
        with backend.lock:
            job = backend.find_arn(context, params[self._arn])
            tags = [{self._key: key, self._value: value} for key, value in job.tags.items()]
        return {self.style.tags_member: tags}


def tags_of(service: Service, params: dict[str, Any]) -> dict[str, str]:
    """The tags a create request carries, as a dict."""
    style = service.tags
    if style is None:
        return {}
    return {tag[style.key]: tag[style.value] for tag in params.get(style.tags_member, [])}
