"""Planning rules of the lifecycle operations, without hosts: Doris's order (BEs, brokers,
observers, followers, the master last), nodes named as ALTER SYSTEM names them, and scale-out
fragments checked together with the stored topology (a taken port, an existing node, a key that
is not a node list: refused naming the field)."""

from __future__ import annotations

from typing import Any

import pytest

from dorisctl.manager.errors import Invalid, NotFound
from dorisctl.manager.lifecycle import find_node, merge_fragment, node_key, order
from dorisctl.manager.topology import parse, to_document


def doc() -> dict[str, Any]:
    return {
        "global": {"user": "u", "ssh_key": "k", "package_url": "http://pkg/doris.tar.gz"},
        "fe": [{"host": "10.0.0.1"}, {"host": "10.0.0.2", "role": "OBSERVER"}, {"host": "10.0.0.3"}],
        "be": [{"host": "10.0.0.1"}, {"host": "10.0.0.2", "heartbeat_service_port": 9150}],
        "broker": [{"host": "10.0.0.3"}],
    }


def test_order_is_dorises_with_the_master_last() -> None:
    t = parse(doc())
    groups = order(t, t.nodes, master="10.0.0.3:9010")  # the master moved to the third FE
    assert [[node_key(n) for n in g] for g in groups] == [
        ["10.0.0.1:9050", "10.0.0.2:9150"],
        ["10.0.0.3:8000"],
        ["10.0.0.2:9010"],
        ["10.0.0.1:9010"],
        ["10.0.0.3:9010"],
    ]
    only_fes = order(t, t.fe, master="10.0.0.1:9010")
    assert [node_key(g[0]) for g in only_fes] == ["10.0.0.2:9010", "10.0.0.3:9010", "10.0.0.1:9010"]


def test_nodes_are_named_by_their_alter_system_port() -> None:
    t = parse(doc())
    assert find_node(t, "10.0.0.2:9150").role == "BE" and find_node(t, " 10.0.0.3:8000 ").role == "BROKER"
    with pytest.raises(NotFound) as e:
        find_node(t, "10.0.0.2:9050")  # that BE's heartbeat port is 9150
    assert "10.0.0.2:9150 (BE)" in e.value.msg
    with pytest.raises(Invalid):
        find_node(t, "10.0.0.2")


def test_scale_out_fragment_is_checked_with_the_cluster() -> None:
    stored = to_document(parse(doc()), secrets=True)
    merged, whole, part = merge_fragment(stored, {"be": [{"host": "10.0.0.4"}], "broker": [{"host": "10.0.0.1"}]})
    assert [node_key(n) for n in part.nodes] == ["10.0.0.4:9050", "10.0.0.1:8000"]
    assert len(whole.be) == 3 and len(merged["broker"]) == 2 and part.global_.user == "u"
    with pytest.raises(Invalid) as e:
        merge_fragment(stored, {"broker": [{"host": "10.0.0.1", "broker_ipc_port": 9050}]})
    assert "broker[1].broker_ipc_port: port 9050 on 10.0.0.1 is also be[0].heartbeat_service_port" in e.value.msg
    with pytest.raises(Invalid) as e:
        merge_fragment(stored, {"be": [{"host": "10.0.0.1"}]})
    assert "already has a BE" in e.value.msg
    with pytest.raises(Invalid) as e:
        merge_fragment(stored, {"global": {"user": "x"}, "be": [{"host": "10.0.0.9"}]})
    assert "holds only new nodes" in e.value.msg
    with pytest.raises(Invalid):
        merge_fragment(stored, {"be": []})
