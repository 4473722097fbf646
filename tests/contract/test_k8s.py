"""deploy/k8s: every manifest valid against the Kubernetes schemas, and the settings ops rely on.

The overlays are rendered with deploy/k8s/render.py (and compared with ``kubectl kustomize``
when kubectl is installed). Kubernetes objects are checked against the official JSON
Schemas offline (strict: an unknown or misspelt field fails); KEDA's ScaledObject is a
custom resource without a shipped schema, so its required fields are checked explicitly.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from deploy.k8s.render import merge, render
from socialcare_classifier.settings import ClassifierSettings
from socialcare_gateways.settings import GatewaySettings
from socialcare_ingest.settings import IngestSettings
from socialcare_responder.settings import ResponderSettings
from socialcare_router.settings import RouterSettings
from tests.contract.settings_env import settings_from_env

pytestmark = pytest.mark.contract
K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
SERVICES = Path(__file__).resolve().parents[2] / "services"
OVERLAYS = ("dev", "prod")
PREFIX = {"dev": "dev-", "prod": ""}
# HTTP services: port and readiness path. The admin API has no dependencies to report on.
HTTP = {"ingest": (8081, "/readyz"), "router-api": (8082, "/readyz"),
        "classifier-api": (8083, "/healthz")}
# HTTP services that carry customer or agent traffic, so scale on CPU.
CPU_SCALED = {"ingest", "router-api"}
WORKERS = {"classifier": ("socialcare-classifier", "socialcare.messages.received.v1"),
           "classifier-deep": ("socialcare-classifier-deep", "socialcare.messages.classified.v1"),
           "router-worker": ("socialcare-router", "socialcare.messages.classified.v1"),
           "responder": ("socialcare-responder", "socialcare.replies.requested.v1")}
# Processes that must run exactly once (no HTTP server, not autoscaled).
SINGLETONS = {"ingest-poller"}


def rendered(overlay: str) -> list[dict[str, Any]]:
    return render(K8S / "overlays" / overlay)


def by_kind(resources: list[dict], kind: str) -> dict[str, dict]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def base_name(resource: dict, overlay: str) -> str:
    """The resource's name in the base (the dev overlay adds a prefix)."""
    return resource["metadata"]["name"].removeprefix("dev-" if overlay == "dev" else "")


def pod(resource: dict) -> dict:
    return resource["spec"]["template"]["spec"]


@pytest.fixture(scope="module")
def validate(k8s_schema_dir: Path):  # type: ignore[no-untyped-def]
    definitions = json.loads((k8s_schema_dir / "_definitions.json").read_text())
    registry = Registry().with_resource(definitions["$id"], Resource.from_contents(definitions))

    def check(resource: dict) -> None:
        group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", resource["apiVersion"])
        schema_file = k8s_schema_dir / f"{resource['kind'].lower()}-{group}.json"
        assert schema_file.is_file(), f"no schema for {resource['kind']} {resource['apiVersion']}"
        schema = json.loads(schema_file.read_text())
        jsonschema.Draft202012Validator(schema, registry=registry).validate(resource)

    return check


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_manifest_matches_its_schema(overlay: str, validate) -> None:  # type: ignore[no-untyped-def]
    resources = rendered(overlay)
    kinds = {r["kind"] for r in resources}
    assert {"Deployment", "Service", "ConfigMap", "HorizontalPodAutoscaler",
            "PodDisruptionBudget", "Ingress", "ScaledObject"} <= kinds
    for resource in resources:
        if resource["apiVersion"].startswith("keda.sh/"):
            continue
        try:
            validate(resource)
        except jsonschema.ValidationError as exc:
            pytest.fail(f"{resource['kind']}/{resource['metadata']['name']}: {exc.message} "
                        f"at {'/'.join(map(str, exc.absolute_path))}")


def test_schema_validation_catches_a_misspelt_field(validate) -> None:  # type: ignore[no-untyped-def]
    deployment = by_kind(rendered("prod"), "Deployment")["ingest"]
    broken = merge(deployment, {"spec": {"template": {"spec": {"containers": [
        {"name": "ingest", "readinessProbes": {}}]}}}})
    with pytest.raises(jsonschema.ValidationError):
        validate(broken)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_renderer_matches_kubectl_kustomize(overlay: str) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed")
    out = subprocess.run([kubectl, "kustomize", str(K8S / "overlays" / overlay)],
                         capture_output=True, check=True, timeout=60).stdout
    theirs = [r for r in yaml.safe_load_all(out) if r]

    def key(r: dict) -> tuple[str, str]:
        return r["kind"], r["metadata"]["name"]

    assert sorted(rendered(overlay), key=key) == sorted(theirs, key=key)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_are_locked_down_and_bounded(overlay: str) -> None:
    for name, deployment in by_kind(rendered(overlay), "Deployment").items():
        spec = pod(deployment)
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            for bound in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][bound]), (name, bound)
            # A read-only root needs somewhere to write: faust state and temp files.
            assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"]), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_probes_match_what_each_service_serves(overlay: str) -> None:
    deployments = by_kind(rendered(overlay), "Deployment")
    for deployment in deployments.values():
        name = base_name(deployment, overlay)
        container = pod(deployment)["containers"][0]
        if name in HTTP:
            ports = {p["name"]: p["containerPort"] for p in container["ports"]}
            port, readiness = HTTP[name]
            assert ports["http"] == port
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert container["readinessProbe"]["httpGet"]["path"] == readiness
        elif name.startswith("gateway-"):
            assert container["livenessProbe"]["grpc"]["port"] == 50051
            assert container["readinessProbe"]["grpc"]["port"] == 50051
        elif name in SINGLETONS:
            assert "livenessProbe" not in container, "a poller has no endpoint to probe"
            assert deployment["spec"]["replicas"] == 1, name
            assert deployment["spec"]["strategy"]["type"] == "Recreate", name
        else:
            assert name in WORKERS, f"unexpected deployment {name}"
            assert "livenessProbe" not in container, "workers have no endpoint to probe"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workers_scale_on_kafka_lag_up_to_the_partition_count(overlay: str) -> None:
    resources = rendered(overlay)
    config = next(iter(by_kind(resources, "ConfigMap").values()))["data"]
    partitions = int(config["SOCIALCARE_TOPIC_PARTITIONS"])
    prefix = config.get("SOCIALCARE_TOPIC_PREFIX", "")
    deployments = by_kind(resources, "Deployment")
    scaled = {base_name(s, overlay): s for s in by_kind(resources, "ScaledObject").values()}
    assert set(scaled) == set(WORKERS)
    for name, scaled_object in scaled.items():
        spec = scaled_object["spec"]
        assert spec["scaleTargetRef"]["name"] in deployments
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"] == partitions, name
        (trigger,) = spec["triggers"]
        group, topic = WORKERS[name]
        assert trigger["type"] == "kafka"
        meta = trigger["metadata"]
        assert meta["consumerGroup"] == prefix + group
        assert meta["topic"] == prefix + topic
        assert int(meta["lagThreshold"]) > 0
        assert meta["bootstrapServersFromEnv"] in config
        assert meta.get("allowIdleConsumers", "false") == "false"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_http_services_scale_on_cpu(overlay: str) -> None:
    resources = rendered(overlay)
    deployments = by_kind(resources, "Deployment")
    hpas = {base_name(h, overlay): h for h in by_kind(resources,
                                                       "HorizontalPodAutoscaler").values()}
    assert set(hpas) == CPU_SCALED
    for hpa in hpas.values():
        spec = hpa["spec"]
        assert spec["scaleTargetRef"]["name"] in deployments
        assert spec["minReplicas"] <= spec["maxReplicas"]
        (metric,) = spec["metrics"]
        assert metric["resource"]["name"] == "cpu"
        assert 0 < metric["resource"]["target"]["averageUtilization"] <= 90


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_a_disruption_budget(overlay: str) -> None:
    resources = rendered(overlay)
    budgets = list(by_kind(resources, "PodDisruptionBudget").values())
    for name, deployment in by_kind(resources, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        matching = [b for b in budgets if b["spec"]["selector"]["matchLabels"].items()
                    <= labels.items()]
        assert len(matching) == 1, name
    if overlay == "prod":
        hpas = by_kind(resources, "HorizontalPodAutoscaler")
        for budget in budgets:
            if "minAvailable" in budget["spec"] and budget["metadata"]["name"] in hpas:
                # A budget as large as the minimum replica count would block every drain.
                assert budget["spec"]["minAvailable"] < hpas[budget["metadata"]["name"]][
                    "spec"]["minReplicas"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_references_resolve(overlay: str) -> None:
    resources = rendered(overlay)
    names = {(r["kind"], r["metadata"]["name"]) for r in resources}
    services = by_kind(resources, "Service")
    for deployment in by_kind(resources, "Deployment").values():
        spec = pod(deployment)
        assert ("ServiceAccount", spec["serviceAccountName"]) in names
        for container in spec["containers"]:
            for source in container.get("envFrom", ()):
                assert ("ConfigMap", source["configMapRef"]["name"]) in names
            for env in container.get("env", ()):
                ref = env["valueFrom"]["secretKeyRef"]
                # Production secrets come from the cluster's secret manager, not this repo.
                if overlay == "dev":
                    (secret,) = [s for n, s in by_kind(resources, "Secret").items()
                                 if n == ref["name"]]
                    assert ref["key"] in secret["stringData"], ref
    for ingress in by_kind(resources, "Ingress").values():
        for path in ingress["spec"]["rules"][0]["http"]["paths"]:
            backend = path["backend"]["service"]
            ports = [p["name"] for p in services[backend["name"]]["spec"]["ports"]]
            assert backend["port"]["name"] in ports
    config = next(iter(by_kind(resources, "ConfigMap").values()))["data"]
    for target in json.loads(config["SOCIALCARE_GATEWAYS"]).values():
        assert target.split(":")[0] in services, f"the responder cannot reach {target}"


def test_ingress_sends_each_route_to_its_service() -> None:
    (ingress,) = by_kind(rendered("prod"), "Ingress").values()
    routes = {p["path"]: p["backend"]["service"]["name"]
              for p in ingress["spec"]["rules"][0]["http"]["paths"]}
    assert routes["/v1/messages"] == "ingest" and routes["/webhooks"] == "ingest"
    assert routes["/v1"] == "router-api"
    assert not any("healthz" in p or "metrics" in p for p in routes)


def test_images_are_built_for_a_service_package_and_prod_pins_them() -> None:
    """Each image is the one Dockerfile built with SERVICE=<its name>, a services/ folder."""
    for overlay in OVERLAYS:
        for deployment in by_kind(rendered(overlay), "Deployment").values():
            image = pod(deployment)["containers"][0]["image"]
            repository, _, tag = image.rpartition(":")
            service = repository.rsplit("/", 1)[-1]
            assert (SERVICES / service / "pyproject.toml").is_file(), image
            if overlay == "prod":
                assert tag not in ("", "dev", "latest"), image


def test_production_config_refuses_dev_secrets() -> None:
    config = next(iter(by_kind(rendered("prod"), "ConfigMap").values()))["data"]
    assert config["SOCIALCARE_ENVIRONMENT"] == "production"
    assert int(config["SOCIALCARE_TOPIC_REPLICATION_FACTOR"]) >= 3
    assert not by_kind(rendered("prod"), "Secret"), "no secret values in the prod overlay"


# Each image's settings class, as its entrypoint builds it.
SETTINGS = {"ingest": IngestSettings, "classifier": ClassifierSettings, "router": RouterSettings,
            "responder": ResponderSettings, "gateways": GatewaySettings}


def container_settings(container: dict, config: dict[str, str],
                       secrets: dict[str, str]) -> object:
    """The service's settings built from exactly the environment the Deployment gives it."""
    env = dict(config)
    for var in container.get("env", ()):
        ref = var["valueFrom"]["secretKeyRef"]
        if ref["key"] in secrets:
            env[var["name"]] = secrets[ref["key"]]
    image = container["image"].rpartition(":")[0].rsplit("/", 1)[-1]
    settings_class = SETTINGS[image]
    settings = settings_from_env(settings_class, env)
    if isinstance(settings, ClassifierSettings) and container.get("args") == ["api"]:
        # The admin API refuses its keys itself, when it builds the app.
        settings.refuse_dev_secrets(**{f"admin key of {who}": key
                                       for key, who in settings.classifier_admin_keys.items()})
    return settings


def test_every_service_accepts_the_production_config_with_real_secrets() -> None:
    """The prod overlay + a secret holding every key the manifests reference: all start.

    The secret values are the dev overlay's with the shipped ``dev-`` marker replaced, so
    they have the right shapes; a service whose manifest forgets a secret it refuses at its
    dev default fails here rather than in a cluster.
    """
    (dev_secret,) = by_kind(rendered("dev"), "Secret").values()
    real = {k: v.replace("dev-", "prod-") for k, v in dev_secret["stringData"].items()}
    resources = rendered("prod")
    config = next(iter(by_kind(resources, "ConfigMap").values()))["data"]
    for deployment in by_kind(resources, "Deployment").values():
        for container in pod(deployment)["containers"]:
            container_settings(container, config, real)
    for name in ("ingest", "gateway-x", "gateway-meta"):
        deployment = by_kind(resources, "Deployment")[name]
        with pytest.raises(ValueError, match="set real secrets in production"):
            container_settings(pod(deployment)["containers"][0], config,
                               dev_secret["stringData"])


# Each platform whose replies leave SocialCare -> the gateway command that posts them.
PLATFORM_GATEWAYS = {"x": "x", "facebook": "meta", "instagram": "meta"}


def deployment_behind(resources: list[dict], target: str) -> dict:
    """The Deployment whose pods a gRPC target (Service:port) reaches."""
    host, _, port = target.rpartition(":")
    service = by_kind(resources, "Service")[host]
    assert int(port) in [p["port"] for p in service["spec"]["ports"]], target
    selector = service["spec"]["selector"].items()
    (deployment,) = [d for d in by_kind(resources, "Deployment").values()
                     if selector <= d["spec"]["template"]["metadata"]["labels"].items()]
    return deployment


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_platforms_replies_reach_its_gateway_with_its_credentials(overlay: str) -> None:
    """The responder's map sends X to the X gateway, Facebook and Instagram to Meta's; those
    gateways take their tokens from the Secret, for every brand ingest maps accounts to."""
    resources = rendered(overlay)
    deployments = by_kind(resources, "Deployment")
    config = next(iter(by_kind(resources, "ConfigMap").values()))["data"]
    (dev_secret,) = by_kind(rendered("dev"), "Secret").values()
    # Production's secret lives outside the repository: the dev one with real-looking values.
    secrets = {k: v.replace("dev-", "prod-") if overlay == "prod" else v
               for k, v in dev_secret["stringData"].items()}
    responder = container_settings(pod(deployments[f"{PREFIX[overlay]}responder"])[
        "containers"][0], config, secrets)
    ingest = container_settings(pod(deployments[f"{PREFIX[overlay]}ingest"])["containers"][0],
                                config, secrets)
    assert isinstance(responder, ResponderSettings) and isinstance(ingest, IngestSettings)
    for platform, kind in PLATFORM_GATEWAYS.items():
        target = responder.gateways.get(platform) or responder.gateways.get("*")
        assert target, f"{overlay}: no gateway for {platform}"
        container = pod(deployment_behind(resources, target))["containers"][0]
        assert container["args"] == [kind], f"{overlay}: {platform} replies reach {target}"
        from_secret = {e["name"] for e in container.get("env", ())
                       if "secretKeyRef" in e["valueFrom"]}
        gateway = container_settings(container, config, secrets)
        assert isinstance(gateway, GatewaySettings)
        if kind == "x":
            assert "SOCIALCARE_X_BEARER_TOKENS" in from_secret
            assert set(ingest.x_accounts.values()) <= set(gateway.x_bearer_tokens)
        else:
            assert "SOCIALCARE_META_ACCOUNTS" in from_secret
            accounts = gateway.meta_accounts
            for platform_id, brand in ingest.meta_webhook_accounts.items():
                assert platform_id in (accounts[brand].page_id,
                                       accounts[brand].instagram_user_id), brand
    sandboxes = [d for d in deployments.values() if pod(d)["containers"][0].get("args") ==
                 ["sandbox"]]
    assert len(sandboxes) == (1 if overlay == "dev" else 0), "the sandbox runs in dev only"

