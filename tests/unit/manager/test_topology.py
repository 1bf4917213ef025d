"""The topology file: defaults, every problem reported with its line and field, unknown keys
refused; the conf keys rendered per node; the agent's conf merge is idempotent."""

from __future__ import annotations

import json

import pytest

from dorisctl.agent.tasks import merge_conf
from dorisctl.manager.cloud import fe_node_types
from dorisctl.manager.deploy import render_conf
from dorisctl.manager.topology import TopologyError, parse, parse_yaml, to_document

GOOD = """\
deploy_mode: cloud
global:
  user: doris
  ssh_key_file: ~/.ssh/id_ed25519
  install_dir: /opt/doris
  package_url: http://mirror/apache-doris-3.0.6-bin-x64.tar.gz
meta_service:
  endpoint: 10.0.0.1:5000
  instance_id: prod
  obj_info: {ak: AK, sk: SK, bucket: b, prefix: prod, endpoint: s3.example.com, region: r1, provider: S3}
fe:
  - host: 10.0.0.11
    config: {sys_log_level: INFO}
  - host: 10.0.0.13
    role: OBSERVER
be:
  - host: 10.0.0.12
    heartbeat_service_port: 9051
    compute_group: cg1
broker:
  - host: 10.0.0.12
"""


def test_a_good_file_with_doris_defaults() -> None:
    t = parse_yaml(GOOD)
    assert t.deploy_mode == "cloud" and t.global_.ssh_port == 22 and t.global_.agent_port == 9602
    assert t.fe[0].ports == {"http_port": 8030, "rpc_port": 9020, "query_port": 9030, "edit_log_port": 9010}
    assert t.be[0].ports["heartbeat_service_port"] == 9051 and t.be[0].ports["brpc_port"] == 8060
    assert t.meta_service is not None and t.meta_service.obj_info["external_endpoint"] == "s3.example.com"
    assert t.hosts == ["10.0.0.11", "10.0.0.13", "10.0.0.12"]
    assert fe_node_types(t) == {t.fe[0].node_id: "FE_MASTER", t.fe[1].node_id: "FE_OBSERVER"}
    # the document form (the REST API's JSON) parses to the same topology
    assert to_document(parse(to_document(t, secrets=True)), secrets=True) == to_document(t, secrets=True)
    assert "sk" not in to_document(t)["meta_service"]["obj_info"]


def test_every_problem_names_its_line_and_field() -> None:
    bad = (
        GOOD.replace("  install_dir: /opt/doris\n", "  install_dir: /opt/doris\n  colour: blue\n")
        .replace("heartbeat_service_port: 9051", "heartbeat_service_port: 99999")
        .replace("compute_group: cg1", "compute_group: 1cg")
        .replace("    role: OBSERVER", "    role: LEADER")
    )
    with pytest.raises(TopologyError) as e:
        parse_yaml(bad)
    problems = e.value.problems
    assert "line 6: global.colour: unknown key" in problems[0]
    assert any(p.startswith("line 16: fe[1].role: must be FOLLOWER or OBSERVER") for p in problems), problems
    assert any(p.startswith("line 19: be[0].heartbeat_service_port: must be a port number") for p in problems)
    assert any("be[0].compute_group: '1cg' is not a valid compute group name" in p for p in problems)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("deploy_mode: cloud", "deploy_mode: integrated"), "meta_service: is only for deploy_mode: cloud"),
        (("  instance_id: prod\n", ""), "meta_service.instance_id: is required"),
        (("heartbeat_service_port: 9051", "heartbeat_service_port: 8030"), None),
        (("  - host: 10.0.0.13", "  - host: 10.0.0.11"), "fe[1].host: 10.0.0.11 already has a FE"),
        (("config: {sys_log_level: INFO}", "config: {edit_log_port: 1}"), "is written by dorisctl"),
        (("endpoint: 10.0.0.1:5000", "endpoint: nowhere"), "meta_service.endpoint: must be host:port"),
        (("global:\n", "global:\n  ssh_port: [22]\n"), "global.ssh_port: must be a port number"),
        (("fe:\n", "fe: []\nx:\n"), "fe: must be a non-empty list"),
    ],
)
def test_refused(change: tuple[str, str], message: str | None) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    if message is None:  # 8030 on 10.0.0.12 clashes with nothing: that host has no FE
        parse_yaml(text)
        return
    with pytest.raises(TopologyError) as e:
        parse_yaml(text)
    assert message in str(e.value), e.value


def test_port_clash_on_one_host() -> None:
    text = GOOD.replace("  - host: 10.0.0.12\n    heartbeat", "  - host: 10.0.0.11\n    heartbeat").replace(
        "heartbeat_service_port: 9051", "heartbeat_service_port: 9030"
    )
    with pytest.raises(TopologyError) as e:
        parse_yaml(text)
    assert "be[0].heartbeat_service_port: port 9030 on 10.0.0.11 is also fe[0].query_port" in str(e.value)


def test_not_yaml_and_duplicate_keys() -> None:
    with pytest.raises(TopologyError, match=r"line 3: not valid YAML"):
        parse_yaml("global:\n  user: [doris\n")
    with pytest.raises(TopologyError, match=r"line 3: global.user: duplicate key"):
        parse_yaml("global:\n  user: a\n  user: b\n")


def test_rendered_conf_for_cloud_nodes() -> None:
    t = parse_yaml(GOOD)
    fe = render_conf(t, t.fe[0])
    assert fe["deploy_mode"] == "cloud" and fe["meta_service_endpoint"] == "10.0.0.1:5000"
    assert fe["cloud_unique_id"] == "1:prod:fe_10_0_0_11_9010" and fe["priority_networks"] == "10.0.0.11/32"
    assert fe["edit_log_port"] == "9010" and fe["sys_log_level"] == "INFO"
    be = render_conf(t, t.be[0])
    assert be["heartbeat_service_port"] == "9051" and be["cloud_unique_id"] == "1:prod:be_10_0_0_12_9051"
    assert json.loads(be["file_cache_path"])[0]["path"] == "/opt/doris/be/file_cache"
    assert "cloud_unique_id" not in render_conf(t, t.broker[0])


def test_conf_merge_is_idempotent_and_keeps_the_package_defaults() -> None:
    package = "JAVA_OPTS = -Xmx8g\n# ports\nhttp_port = 8030\nhttp_port = 8031\n"
    once = merge_conf(package, {"http_port": "18030", "deploy_mode": "cloud"})
    assert once == "JAVA_OPTS = -Xmx8g\n# ports\nhttp_port = 18030\n# set by dorisctl\ndeploy_mode = cloud\n"
    assert merge_conf(once, {"http_port": "18030", "deploy_mode": "cloud"}) == once
