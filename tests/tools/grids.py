"""Seeds for the tools' tests: a large grid of objects nobody manages yet."""

from __future__ import annotations

from typing import Any

from ddisync_simulator.seed import demo_seed

EXCLUDED = 2  # objects of big_grid() that ddisync cannot represent


def big_grid(networks: int = 600, records: int = 500) -> dict[str, Any]:
    """The demo grid plus ``networks`` networks and ``records`` records of every type, with
    comments, TTLs and extensible attributes, and a few objects export must skip."""
    seed = demo_seed()
    v4 = [
        {"network": f"10.{20 + i // 256}.{i % 256}.0/24"}
        | ({"comment": f"rack {i}"} if i % 3 == 0 else {})
        | ({"extattrs": {"Site": {"value": f"site-{i % 7}"}}} if i % 5 == 0 else {})
        for i in range(networks - networks // 10)
    ]
    v6 = [{"network": f"2001:db8:{i + 1:x}::/64"} for i in range(networks // 10)]
    seed["network"], seed["ipv6network"] = v4, v6
    share = records // 10
    names = [f"host-{i}.example.com" for i in range(records)]
    seed["record:a"] = [
        {"name": names[i], "ipv4addr": f"10.20.{i // 250}.{i % 250 + 1}"}
        | ({"ttl": 300, "use_ttl": True} if i % 4 == 0 else {})
        | ({"comment": "web"} if i % 6 == 0 else {})
        for i in range(share * 3)
    ]
    seed["record:aaaa"] = [
        {"name": f"v6-{i}.example.com", "ipv6addr": f"2001:db8:1::{i + 1:x}"} for i in range(share)
    ]
    seed["record:cname"] = [
        {"name": f"alias-{i}.example.org", "canonical": names[i]} for i in range(share)
    ]
    seed["record:txt"] = [
        {"name": f"txt-{i}.example.com", "text": f'"v=spf1 include:{i}.example.net -all"'}
        for i in range(share)
    ]
    seed["record:mx"] = [
        {"name": "example.org", "mail_exchanger": f"mx{i}.example.org", "preference": 10 + i}
        for i in range(share)
    ]
    seed["record:srv"] = [
        {"name": f"_sip._tcp.s{i}.example.com", "target": names[i], "port": 5060,
         "priority": 10, "weight": i}
        for i in range(share)
    ]  # fmt: skip
    seed["record:ptr"] = [
        {"ipv4addr": f"10.30.0.{i + 1}", "ptrdname": f"rev-{i}.example.com"} for i in range(share)
    ]
    seed["record:host"] = [
        {"name": f"srv-{i}.example.com", "ipv4addrs": [{"ipv4addr": f"10.40.0.{i + 1}"}]}
        for i in range(records - share * 9 - 1)
    ] + [
        # Several addresses, a DHCP reservation and aliases: Host records as people use them.
        {"name": "multi.example.com",
         "ipv4addrs": [{"ipv4addr": "10.40.1.1", "mac": "00:50:56:aa:bb:cc",
                        "configure_for_dhcp": True}, {"ipv4addr": "10.40.1.2"}],
         "ipv6addrs": [{"ipv6addr": "2001:db8:40::1"}],
         "aliases": ["alias-1.example.com", "alias-2.example.com"]},
    ]  # fmt: skip
    seed["record:caa"] = [
        {"name": "example.com", "ca_flag": 0, "ca_tag": "issue", "ca_value": f"ca{i}.example.net"}
        for i in range(5)
    ] + [{"name": "example.org", "ca_flag": 128, "ca_tag": "iodef", "ca_value": "mailto:x@y.z"}]
    seed["zone_auth"] = [
        *seed["zone_auth"],
        {"fqdn": "lab.example.com", "ns_group": "default", "comment": "lab"},
        {"fqdn": "10.20.0.0/16", "extattrs": {"Site": {"value": "site-1"}}},
    ]
    # Not representable: an underscore in an A record's name; already managed by ddisync.
    seed["record:a"].append({"name": "_bad.example.com", "ipv4addr": "10.20.99.1"})
    seed["record:txt"].append(
        {"name": "owned.example.com", "text": "x",
         "extattrs": {"ddisync-cluster": {"value": "other"},
                      "ddisync-owner": {"value": "ns/Record/x"},
                      "ddisync-uid": {"value": "u-1"}}}
    )  # fmt: skip
    return seed


def grid_size(seed: dict[str, Any]) -> int:
    kinds = ("network", "ipv6network", "zone_auth", *(k for k in seed if k.startswith("record:")))
    return sum(len(seed.get(k) or []) for k in kinds)
