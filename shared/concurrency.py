"""A command decided on what its caller saw: "only if this record is still at
version N" (HTTP If-Match, through the gateway).

The gateway names the record and the version in the RPC call's context data
(``"<aggregate id>:<version>"``); ``shared.rpc.Observed`` puts it in the request
context (``shared.context``), and the service's repository checks that record when
the command first loads it (``shared.store``), before anything is changed. A record at
another version is refused as ``Conflict``: someone changed it meanwhile.
"""
from __future__ import annotations

import re
from uuid import UUID

from eventsourcing.application import Repository

from shared import context
from shared.errors import Conflict
from shared.sealing import SnapshotShredded

_TAG = re.compile(r"^([0-9a-fA-F-]{32,36}):([0-9]{1,9})$")


def tag(aggregate_id, version: int) -> str:
    """The opaque part of an ETag: which record, at which version."""
    return f"{UUID(str(aggregate_id))}:{int(version)}"


def parse(value: str) -> tuple[UUID, int] | None:
    """``(aggregate id, version)`` from a tag, or None when it is not one of ours."""
    match = _TAG.match(value or "")
    if not match:
        return None
    try:
        return UUID(match.group(1)), int(match.group(2))
    except ValueError:
        return None


def use(value: str | None) -> None:
    """Make the caller's expectation (or none) current for this request."""
    context.current().precondition = parse(value) if value else None


def check(aggregate) -> None:
    """Refuse if ``aggregate`` is the record the caller named, at another version.

    The first load of that record settles it: a command that reads it again after
    its own change (to answer with it) must not be refused, and a change by someone
    else between the load and the save is refused by the store itself.
    """
    request = context.current()
    expected = request.precondition
    if expected is None or aggregate.id != expected[0]:
        return
    request.precondition = None
    if aggregate.version != expected[1]:
        raise Conflict(
            "the record changed since you read it; reload it and try again",
            {"If-Match": [f"you read version {expected[1]}; it is now at version {aggregate.version}"]},
        )


class CheckedRepository(Repository):
    """Checks each aggregate a command loads against the version its caller said it
    decided on (see above), before the command changes anything; and rebuilds a
    record from its events when its snapshot's key was shredded."""

    def get(self, aggregate_id, *, version=None, **kwargs):
        unit = context.current().unit  # a command's saves held back (shared.outcomes): it reads its own
        if version is None and unit is not None and unit.app.repository is self:
            unsaved = unit.unsaved(aggregate_id)
            if unsaved is not None:
                return unsaved
        aggregate = super().get(aggregate_id, version=version, **kwargs)
        if version is None:  # a historical version is read on purpose
            check(aggregate)
        return aggregate

    def _reconstruct_aggregate(self, aggregate_id, version, projector_func):
        try:
            return super()._reconstruct_aggregate(aggregate_id, version, projector_func)
        except SnapshotShredded:
            snapshots, self.snapshot_store = self.snapshot_store, None
            try:
                return super()._reconstruct_aggregate(aggregate_id, version, projector_func)
            finally:
                self.snapshot_store = snapshots
