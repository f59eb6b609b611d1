"""Names of exported resources: valid, stable, unique, short."""

from __future__ import annotations

import re

from ddisync.api.record import K8S_NAME
from ddisync.tools.naming import MAX_NAME, network_name, record_name

LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def test_an_ipv4_network_in_the_default_view_reads_as_its_cidr() -> None:
    assert network_name("10.20.1.0/24") == "net-10-20-1-0-24"


def test_an_ipv6_network_keeps_its_double_colon_visible() -> None:
    assert network_name("2001:db8:1::/64") == "net-2001-db8-1---64"
    assert network_name("2001:db8::1/128") != network_name("2001:db8:1::/128")


def test_a_network_in_another_view_names_the_view_and_carries_a_hash() -> None:
    name = network_name("10.20.1.0/24", "Lab_Net")
    assert name.startswith("net-lab-net-10-20-1-0-24-")
    assert name != network_name("10.20.1.0/24", "lab-net")


def test_records_of_one_name_get_different_names() -> None:
    first = record_name("A", "web.example.com", "default", "10.0.0.1")
    second = record_name("A", "web.example.com", "default", "10.0.0.2")
    assert first.startswith("a-web-example-com-") and second.startswith("a-web-example-com-")
    assert first != second


def test_names_are_stable_across_runs() -> None:
    assert record_name("TXT", "_dmarc.example.com", "default", "v=DMARC1") == record_name(
        "TXT", "_dmarc.example.com", "default", "v=DMARC1"
    )


def test_long_names_are_cut_to_a_label_and_stay_unique() -> None:
    fqdn = "a" * 60 + "." + "b" * 60 + ".example.com"
    names = {record_name("CNAME", f"{i}{fqdn}", "default", "") for i in range(3)}
    assert len(names) == 3
    for name in names:
        assert len(name) <= MAX_NAME
        assert LABEL.match(name) and re.match(K8S_NAME, name)


def test_every_name_is_a_valid_kubernetes_name() -> None:
    for name in (
        network_name("2001:db8::/32"),
        network_name("::ffff:10.0.0.0/120"),
        record_name("SRV", "_sip._tcp.example.com", "internal view", "x:5060"),
        record_name("A", "*.example.com", "default", "10.0.0.1"),
    ):
        assert LABEL.match(name), name
