"""What every service's domain builds on, free of transport and contracts: the
aggregate base and the exceptions an aggregate raises when a rule refuses.

Domain modules import only the standard library, eventsourcing and this module.
An aggregate method checks its own rules before it triggers its event; the
service edge (``shared.rpc``) maps each kind of refusal to a problem code the
caller can act on.
"""
from __future__ import annotations

import dataclasses
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from shared import context


class RuleRefused(Exception):
    """A rule of the domain refused a command. ``details``: field -> reasons."""

    def __init__(self, message: str, details: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def __str__(self) -> str:
        return self.message


class NotNow(RuleRefused):
    """The record's state does not allow this now (closed, already done): a conflict."""


class Unknown(RuleRefused):
    """The command names a part of the record that does not exist."""


class Invalid(RuleRefused):
    """The values do not make sense together with the record (a step before the start)."""


class NotPermitted(RuleRefused):
    """The record's own state forbids it to this actor or without a consent."""


class ServiceAggregate(Aggregate):
    """Base of every aggregate: each event it triggers records the correlation id of
    the command that caused it, so a relay publishing it later (in another process)
    can still say which command it came from."""

    class Event(Aggregate.Event):
        correlation_id: str = dataclasses.field(default="", kw_only=True)
        chain: str = dataclasses.field(default="", kw_only=True)  # set when saved (shared/chain.py)

        def mutate(self, aggregate):
            aggregate = super().mutate(aggregate)
            if self.chain:  # a stored event: its stream's head so far
                aggregate._chain = self.chain
            return aggregate

    class Created(Event, Aggregate.Created):
        pass

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("correlation_id", context.correlation_id())
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def _create(cls, event_class: Any, *, id: Any = None, **kwargs: Any) -> Any:  # noqa: A002
        kwargs.setdefault("correlation_id", context.correlation_id())
        return super()._create(event_class, id=id, **kwargs)


class CaseAggregate(ServiceAggregate):
    """An aggregate about one client, followed by one agency: every event it triggers
    names both, so that an event reads as a whole fact on its own and its publication
    never loads the aggregate again. A subclass's ``__init__`` takes them as keyword
    arguments (``client_id=..., agency=...``) and keeps them as attributes."""

    class Event(ServiceAggregate.Event):
        client_id: UUID | None = dataclasses.field(default=None, kw_only=True)
        agency: str = dataclasses.field(default="", kw_only=True)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        kwargs.setdefault("client_id", self.client_id)
        kwargs.setdefault("agency", self.agency)
        super().trigger_event(event_class, **kwargs)

    @classmethod
    def _create(cls, event_class: Any, *, id: Any = None, **kwargs: Any) -> Any:  # noqa: A002
        if kwargs.get("client_id") is None or not kwargs.get("agency"):
            raise TypeError(f"a {cls.__name__} is created for a client and an agency")
        return super()._create(event_class, id=id, **kwargs)
