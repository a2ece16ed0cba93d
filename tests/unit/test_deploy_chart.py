"""The Helm chart under deploy/helm/firehouse, rendered and linted with the Helm library.

No cluster runs here, so these tests check what a cluster would be told: the manifests the chart
renders from its default values and from the variants docs/deploy.md describes. Values that
cannot make a working deployment must stop the render with a line naming the value.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from helm_python import Chart, HelmRenderError, lint

import firehouse

CHART = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "firehouse"
RELEASE = "fh"
SECRET_VARIABLES = {
    "FIREHOUSE_DATABASE_URL",
    "FIREHOUSE_SECRET_KEY",
    "FIREHOUSE_SLACK_BOT_TOKEN",
    "FIREHOUSE_SLACK_SIGNING_SECRET",
    "FIREHOUSE_SMTP_PASSWORD",
    "FIREHOUSE_OIDC_CLIENT_SECRET",
    "FIREHOUSE_INTAKE_KEY",
}
CONFIG = "organisation:\n  name: Example\n"
ALL_INTERFACES = "0.0.0.0"  # noqa: S104 -- a pod's server must listen on the pod's address
POD_TMP = "/tmp"  # noqa: S108 -- the pod's private emptyDir, not a shared temporary directory

Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def chart() -> Iterator[Chart]:
    with Chart.load(CHART) as loaded:
        yield loaded


def render(chart: Chart, values: dict[str, Any] | None = None) -> list[Manifest]:
    rendered = chart.render(values or {}, name=RELEASE, namespace="incidents")
    documents: list[Manifest] = []
    for path, text in rendered.items():
        if path.endswith(".yaml"):
            documents.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return documents


def one(documents: list[Manifest], kind: str, component: str | None = None) -> Manifest:
    found = [
        doc
        for doc in documents
        if doc["kind"] == kind
        and (
            component is None
            or doc["metadata"]["labels"]["app.kubernetes.io/component"] == component
        )
    ]
    assert len(found) == 1, f"expected one {kind} {component or ''}, found {len(found)}"
    return found[0]


def container(workload: Manifest) -> Manifest:
    (only,) = workload["spec"]["template"]["spec"]["containers"]
    return only


def env_of(workload: Manifest) -> dict[str, Manifest]:
    return {item["name"]: item for item in container(workload).get("env", [])}


def workloads(documents: list[Manifest]) -> list[Manifest]:
    return [doc for doc in documents if doc["kind"] in {"Deployment", "Job"}]


# --- lint and the default render --------------------------------------------------------------


def test_helm_lint_finds_no_errors_or_warnings() -> None:
    report = lint(CHART, strict=True)
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_the_default_values_render_every_kind_the_deployment_needs(chart: Chart) -> None:
    kinds = sorted(doc["kind"] for doc in render(chart))
    assert kinds == [
        "Deployment",
        "Deployment",
        "Job",
        "PodDisruptionBudget",
        "Service",
        "ServiceAccount",
    ]


def test_the_charts_app_version_is_the_package_version(chart: Chart) -> None:
    assert chart.metadata["appVersion"] == firehouse.__version__


def test_the_image_tag_defaults_to_the_app_version(chart: Chart) -> None:
    images = {container(doc)["image"] for doc in workloads(render(chart))}
    assert images == {f"firehouse:{firehouse.__version__}"}


def test_an_image_tag_in_values_wins_over_the_app_version(chart: Chart) -> None:
    documents = render(chart, {"image": {"repository": "registry.example/fh", "tag": "9.9.9"}})
    assert {container(doc)["image"] for doc in workloads(documents)} == {
        "registry.example/fh:9.9.9"
    }


# --- serve --------------------------------------------------------------------------------------


def test_serve_leaves_event_delivery_to_the_workers(chart: Chart) -> None:
    serve = one(render(chart), "Deployment", "serve")
    assert env_of(serve)["FIREHOUSE_DISPATCHER"]["value"] == "false"


def test_serve_runs_the_server_on_the_container_port(chart: Chart) -> None:
    serve = container(one(render(chart), "Deployment", "serve"))
    assert serve["command"] + serve["args"] == [
        "firehouse",
        "serve",
        "--host",
        ALL_INTERFACES,
        "--port",
        "8000",
    ]
    assert serve["ports"] == [{"name": "http", "containerPort": 8000, "protocol": "TCP"}]


def test_serve_is_probed_on_healthz_for_liveness_and_readyz_for_readiness(chart: Chart) -> None:
    serve = container(one(render(chart), "Deployment", "serve"))
    assert serve["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert serve["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}


def test_serve_pauses_before_sigterm_within_its_grace_period(chart: Chart) -> None:
    serve = one(render(chart), "Deployment", "serve")
    pause = container(serve)["lifecycle"]["preStop"]["exec"]["command"]
    assert pause[0] == "sleep"
    # The pause plus uvicorn's 10 s for requests in flight must fit before SIGKILL.
    assert int(pause[1]) + 10 < serve["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]


def test_the_service_selects_only_serve_pods(chart: Chart) -> None:
    documents = render(chart)
    service = one(documents, "Service")
    assert service["spec"]["selector"]["app.kubernetes.io/component"] == "serve"
    assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_the_disruption_budget_keeps_a_serve_pod_up(chart: Chart) -> None:
    budget = one(render(chart), "PodDisruptionBudget")
    assert budget["spec"]["minAvailable"] == 1
    assert budget["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == "serve"


def test_a_single_serve_replica_gets_no_budget_that_would_block_node_drains(chart: Chart) -> None:
    kinds = {doc["kind"] for doc in render(chart, {"serve": {"replicas": 1}})}
    assert "PodDisruptionBudget" not in kinds


# --- worker -------------------------------------------------------------------------------------


def test_the_worker_runs_firehouse_worker_with_two_replicas_by_default(chart: Chart) -> None:
    worker = one(render(chart), "Deployment", "worker")
    assert container(worker)["command"] + container(worker)["args"] == ["firehouse", "worker"]
    assert worker["spec"]["replicas"] == 2


def test_worker_replicas_come_from_values(chart: Chart) -> None:
    worker = one(render(chart, {"worker": {"replicas": 3}}), "Deployment", "worker")
    assert worker["spec"]["replicas"] == 3


def test_the_worker_is_alive_while_its_heartbeat_file_is_fresh(chart: Chart) -> None:
    worker = one(render(chart), "Deployment", "worker")
    probe = container(worker)["livenessProbe"]["exec"]["command"]
    assert probe[:2] == ["sh", "-c"]
    assert 'stat -c %Y "$FIREHOUSE_WORKER_HEARTBEAT_FILE"' in probe[2]
    assert probe[2].endswith("-lt 120")
    assert env_of(worker)["FIREHOUSE_WORKER_HEARTBEAT_FILE"]["value"].startswith(f"{POD_TMP}/")


def test_no_service_or_port_points_at_workers(chart: Chart) -> None:
    documents = render(chart)
    worker = one(documents, "Deployment", "worker")
    assert "ports" not in container(worker)
    selectors = [doc["spec"]["selector"] for doc in documents if doc["kind"] == "Service"]
    assert all(selector["app.kubernetes.io/component"] != "worker" for selector in selectors)


def test_worker_metrics_when_enabled_listen_on_their_own_port(chart: Chart) -> None:
    values = {"worker": {"metrics": {"enabled": True, "port": 9200}}}
    worker = container(one(render(chart, values), "Deployment", "worker"))
    every_interface = "0.0.0.0"  # noqa: S104 -- inside the pod, where Prometheus reaches it
    assert worker["args"] == ["worker", "--metrics-port", "9200", "--metrics-host", every_interface]
    assert worker["ports"] == [{"name": "metrics", "containerPort": 9200}]


# --- the migration Job --------------------------------------------------------------------------


def test_the_migration_job_is_a_pre_install_and_pre_upgrade_hook(chart: Chart) -> None:
    job = one(render(chart), "Job")
    annotations = job["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    assert "before-hook-creation" in annotations["helm.sh/hook-delete-policy"]
    assert job["spec"]["backoffLimit"] >= 1


def test_the_migration_job_upgrades_the_database_and_applies_no_config_without_one(
    chart: Chart,
) -> None:
    script = container(one(render(chart), "Job"))["args"][0]
    assert script.split("\n")[0] == "firehouse db upgrade"
    assert "config apply" not in script


def test_a_config_in_values_is_applied_after_the_upgrade(chart: Chart) -> None:
    job = one(render(chart, {"config": {"inline": CONFIG}}), "Job")
    steps = [line for line in container(job)["args"][0].splitlines() if line]
    assert steps == ["firehouse db upgrade", "firehouse config apply"]
    assert env_of(job)["FIREHOUSE_CONFIG"]["value"] == "/etc/firehouse/firehouse.yaml"


def test_the_job_reads_a_hook_copy_of_the_config_that_exists_before_it_runs(chart: Chart) -> None:
    documents = render(chart, {"config": {"inline": CONFIG}})
    job = one(documents, "Job")
    volume = next(v for v in job["spec"]["template"]["spec"]["volumes"] if v["name"] == "config")
    copy = next(
        doc
        for doc in documents
        if doc["kind"] == "ConfigMap" and doc["metadata"]["name"] == volume["configMap"]["name"]
    )
    assert "pre-install" in copy["metadata"]["annotations"]["helm.sh/hook"]
    assert int(copy["metadata"]["annotations"]["helm.sh/hook-weight"]) < 0
    assert yaml.safe_load(copy["data"]["firehouse.yaml"]) == yaml.safe_load(CONFIG)


def test_an_existing_config_map_is_mounted_and_not_created(chart: Chart) -> None:
    documents = render(chart, {"config": {"existingConfigMap": "our-firehouse-yaml"}})
    assert [doc for doc in documents if doc["kind"] == "ConfigMap"] == []
    for workload in workloads(documents):
        volumes = workload["spec"]["template"]["spec"]["volumes"]
        assert {"name": "config", "configMap": {"name": "our-firehouse-yaml"}} in volumes


def test_pods_roll_when_the_config_changes(chart: Chart) -> None:
    def checksum(config: str) -> str:
        serve = one(render(chart, {"config": {"inline": config}}), "Deployment", "serve")
        return str(serve["spec"]["template"]["metadata"]["annotations"]["checksum/config"])

    assert checksum(CONFIG) != checksum(CONFIG + "  slug: example\n")


# --- security and resources ---------------------------------------------------------------------


def test_every_container_runs_as_the_non_root_image_user_on_a_read_only_root(chart: Chart) -> None:
    for workload in workloads(render(chart, {"config": {"inline": CONFIG}})):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == 10001
        context = container(workload)["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert {"name": "tmp", "mountPath": POD_TMP} in container(workload)["volumeMounts"]


def test_every_container_has_resource_requests_and_limits(chart: Chart) -> None:
    for workload in workloads(render(chart)):
        resources = container(workload)["resources"]
        assert set(resources["requests"]) == {"cpu", "memory"}
        assert set(resources["limits"]) == {"cpu", "memory"}


# --- secrets ------------------------------------------------------------------------------------


def test_every_container_loads_the_existing_secret_named_in_values(chart: Chart) -> None:
    for workload in workloads(render(chart, {"existingSecret": "prod-firehouse"})):
        assert container(workload)["envFrom"] == [{"secretRef": {"name": "prod-firehouse"}}]


def test_a_single_variable_is_taken_by_reference_from_another_secret(chart: Chart) -> None:
    values = {
        "existingSecret": "",
        "secretEnv": [{"name": "FIREHOUSE_DATABASE_URL", "secretName": "pg-app", "key": "url"}],
    }
    for workload in workloads(render(chart, values)):
        database = env_of(workload)["FIREHOUSE_DATABASE_URL"]
        assert database == {
            "name": "FIREHOUSE_DATABASE_URL",
            "valueFrom": {"secretKeyRef": {"name": "pg-app", "key": "url"}},
        }
        assert "envFrom" not in container(workload)


def test_the_chart_never_creates_a_secret_or_sets_a_secret_variable_inline(chart: Chart) -> None:
    documents = render(chart, {"config": {"inline": CONFIG}, "ingress": {"enabled": True}})
    assert "Secret" not in {doc["kind"] for doc in documents}
    for workload in workloads(documents):
        inline = {name for name, item in env_of(workload).items() if "value" in item}
        assert inline.isdisjoint(SECRET_VARIABLES)


@pytest.mark.parametrize("variable", sorted(SECRET_VARIABLES))
def test_a_secret_variable_in_plain_env_stops_the_render(chart: Chart, variable: str) -> None:
    with pytest.raises(HelmRenderError, match=f"env.{variable}: a secret"):
        render(chart, {"env": {variable: "leaked"}})


def test_plain_env_values_reach_every_container(chart: Chart) -> None:
    for workload in workloads(render(chart, {"env": {"FIREHOUSE_LOG_LEVEL": "DEBUG"}})):
        assert env_of(workload)["FIREHOUSE_LOG_LEVEL"]["value"] == "DEBUG"


def test_no_source_for_the_database_url_stops_the_render(chart: Chart) -> None:
    with pytest.raises(HelmRenderError, match="existingSecret: name the Secret"):
        render(chart, {"existingSecret": ""})


def test_an_incomplete_secret_env_entry_stops_the_render(chart: Chart) -> None:
    with pytest.raises(HelmRenderError, match="secretEnv: every entry needs"):
        render(chart, {"secretEnv": [{"name": "FIREHOUSE_DATABASE_URL"}]})


# --- other values -------------------------------------------------------------------------------


def test_zero_workers_stops_the_render(chart: Chart) -> None:
    with pytest.raises(HelmRenderError, match=r"worker\.replicas: at least 1"):
        render(chart, {"worker": {"replicas": 0}})


def test_both_config_sources_stop_the_render(chart: Chart) -> None:
    with pytest.raises(HelmRenderError, match="config: give inline or existingConfigMap"):
        render(chart, {"config": {"inline": CONFIG, "existingConfigMap": "x"}})


def test_the_ingress_routes_its_hosts_to_the_service(chart: Chart) -> None:
    values = {
        "ingress": {
            "enabled": True,
            "className": "nginx",
            "hosts": [{"host": "fh.example.org", "paths": [{"path": "/", "pathType": "Prefix"}]}],
            "tls": [{"secretName": "fh-tls", "hosts": ["fh.example.org"]}],
        }
    }
    documents = render(chart, values)
    ingress = one(documents, "Ingress")
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "fh.example.org"
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend == {
        "name": one(documents, "Service")["metadata"]["name"],
        "port": {"name": "http"},
    }
    assert ingress["spec"]["ingressClassName"] == "nginx"
    assert ingress["spec"]["tls"] == [{"secretName": "fh-tls", "hosts": ["fh.example.org"]}]


def test_the_base_url_reaches_every_container(chart: Chart) -> None:
    for workload in workloads(render(chart, {"baseUrl": "https://fh.example.org"})):
        assert env_of(workload)["FIREHOUSE_BASE_URL"]["value"] == "https://fh.example.org"
