"""The organisations' feeds in the broker's topology, without a broker: which
organisations have one, what their codes may be, and which routing keys sharing's
relay may publish (tests/integration/test_feeds_broker.py checks the same against
the real broker)."""
import os
import re

import pytest

from jww import broker as broker_command
from shared import topology


def test_the_development_directory_names_agencies_and_partners():
    codes = broker_command.directory_organisations(os.environ)
    assert codes[:3] == ["apo", "dsr", "sab"]
    assert {"transit", "casmd", "caw-brussel", "ocmw-cpas-brussel"} <= set(codes)
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("code", ["be", "Transit", "a.b", "transit.#", "", "café"])
def test_a_code_that_cannot_name_a_feed_is_refused(code):
    with pytest.raises(ValueError, match="cannot name a feed"):
        topology.checked_organisations(["transit", code])


def test_codes_are_kept_once_in_order():
    assert topology.checked_organisations(["transit", "apo", "transit"]) == ["transit", "apo"]


def test_a_feed_is_bound_to_its_organisations_entries_only():
    definitions = topology.feed_definitions("v", ["transit", "casmd"], "quorum", "p")
    assert [(b["source"], b["destination"], b["routing_key"]) for b in definitions["bindings"]] == [
        ("jww.sharing.events", "jww.feed.transit", "transit.#"), ("jww.sharing.events", "jww.feed.casmd", "casmd.#")]
    assert {q["arguments"]["x-queue-type"] for q in definitions["queues"]} == {"quorum"}
    assert [p["user"] for p in definitions["permissions"]] == ["p-org-transit", "p-org-casmd"]


def test_an_organisation_reads_its_own_feed_and_nothing_else():
    grant = topology.organisation_grant("caw-brussel")
    assert (grant.user, grant.configure, grant.write, grant.topics) == ("jww-org-caw-brussel", "^$", "^$", {})
    assert re.search(grant.read, "jww.feed.caw-brussel")
    for other in ("jww.feed.caw-brusselx", "jww.feed.apo", "jwwxfeedxcaw-brussel", "jww.sharing.from.intake"):
        assert not re.search(grant.read, other), other


def test_sharings_relay_addresses_share_entries_to_one_organisation():
    write, _ = topology.relay_grant(topology.SHARING).topics["jww.sharing.events"]
    for key in ("transit.be.jww.share.intake.client-registered.v1", "caw-brussel.be.jww.share.consent-withdrawn.v1",
                "be.jww.sharing.feed-opened.v1"):
        assert re.search(write, key), key
    for key in ("be.jww.share.intake.client-registered.v1", "transit.be.jww.intake.client-registered.v1",
                "transit.casmd.be.jww.share.x.v1", "be.jww.intake.client-registered.v1", "Transit.be.jww.share.x.v1"):
        assert not re.search(write, key), key
    access, _ = topology.relay_grant(topology.SHARING).topics["jww.sharing.access"]
    assert not re.search(access, "transit.be.jww.share.x.v1")


def test_another_relay_is_not_given_the_feeds_keys():
    write, _ = topology.relay_grant("intake").topics["jww.intake.events"]
    assert not re.search(write, "transit.be.jww.share.intake.client-registered.v1")
    assert topology.relay_grant("intake").topics["jww.sharing.events"] == (topology.NOTHING, topology.NOTHING)
