"""docker-compose.yml, the Dockerfiles and deploy/compose/ describe a stack that can run.

No Docker engine runs here, so the file is checked offline: against the official Compose
Specification JSON Schema, and for what the schema cannot see (every service present and
built from its Dockerfile, health checks where something waits on them, scalable workers,
mounted files that exist, settings names the services really read).
"""

import importlib
import json
import re
import shlex
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml
from jsonschema.validators import validator_for

from tests.contract.settings_env import settings_from_env

pytestmark = pytest.mark.contract

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"

# The process table of DESIGN.md: compose service -> image source, command, port, settings.
SERVICES: dict[str, dict[str, Any]] = {
    "gateway-x": {"svc": "gateways", "argv": ["x"], "port": 50051,
                  "port_env": "SOCIALCARE_GATEWAY_PORT",
                  "settings": "socialcare_gateways.settings:GatewaySettings"},
    "gateway-meta": {"svc": "gateways", "argv": ["meta"], "port": 50051,
                     "port_env": "SOCIALCARE_GATEWAY_PORT",
                     "settings": "socialcare_gateways.settings:GatewaySettings"},
    "gateway-sandbox": {"svc": "gateways", "argv": ["sandbox"], "port": 50051,
                        "port_env": "SOCIALCARE_GATEWAY_PORT",
                        "settings": "socialcare_gateways.settings:GatewaySettings"},
    "ingest": {"svc": "ingest", "argv": [], "port": 8081, "port_env": "SOCIALCARE_INGEST_PORT",
               "settings": "socialcare_ingest.settings:IngestSettings"},
    "ingest-poller": {"svc": "ingest", "argv": ["poller"], "port": None,
                      "settings": "socialcare_ingest.settings:IngestSettings"},
    "classifier": {"svc": "classifier", "argv": [], "port": None,
                   "settings": "socialcare_classifier.settings:ClassifierSettings"},
    "classifier-deep": {"svc": "classifier", "argv": ["deep"], "port": None,
                        "settings": "socialcare_classifier.settings:ClassifierSettings"},
    "classifier-api": {"svc": "classifier", "argv": ["api"], "port": 8083,
                       "port_env": "SOCIALCARE_CLASSIFIER_ADMIN_PORT",
                       "settings": "socialcare_classifier.settings:ClassifierSettings"},
    "router-worker": {"svc": "router", "argv": ["worker"], "port": None,
                      "settings": "socialcare_router.settings:RouterSettings"},
    "router-api": {"svc": "router", "argv": ["api"], "port": 8082,
                   "port_env": "SOCIALCARE_INBOX_PORT",
                   "settings": "socialcare_router.settings:RouterSettings"},
    "responder": {"svc": "responder", "argv": [], "port": None,
                  "settings": "socialcare_responder.settings:ResponderSettings"},
}
WORKERS = [name for name, spec in SERVICES.items() if spec["port"] is None]
GATEWAYS = [name for name, spec in SERVICES.items() if spec["svc"] == "gateways"]
# Each platform whose replies leave SocialCare -> the gateway command that posts them.
PLATFORM_GATEWAYS = {"x": "x", "facebook": "meta", "instagram": "meta"}
DOCKERFILE = ROOT / "Dockerfile"
OBSERVABILITY = {"jaeger", "prometheus", "grafana"}
CORE_INFRA = {"kafka", "mongo", "otel-collector"}
# Demo-only services and the profile that starts them.
OPT_IN = {"gateway-sandbox": "sandbox"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


# --- Dockerfile reading ----------------------------------------------------------------------

def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, rest = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        pending = ""
    return instructions


def final_stage(instructions: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM"]
    return instructions[starts[-1]:]


def exec_form(instructions: list[tuple[str, str]], keyword: str) -> list[str] | None:
    """The last ENTRYPOINT/CMD of a stage, which must use the exec (JSON) form."""
    values = [rest for kw, rest in instructions if kw == keyword]
    if not values:
        return None
    parsed = json.loads(values[-1])
    assert isinstance(parsed, list), f"{keyword} must use the exec form, got {values[-1]}"
    return parsed


def dockerfile_of(service: dict[str, Any]) -> Path:
    build = service["build"]
    return (ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")).resolve()


def healthcheck_text(service: dict[str, Any]) -> str | None:
    """The service's effective health check command (compose first, then its image), if any."""
    check = service.get("healthcheck")
    if check is not None:
        if check.get("disable"):
            return None
        test = check.get("test")
        if test:
            return test if isinstance(test, str) else " ".join(test)
    if "build" not in service:
        return None
    probes = [rest for kw, rest in final_stage(dockerfile_instructions(dockerfile_of(service)))
              if kw == "HEALTHCHECK" and "NONE" not in rest.split()]
    return probes[-1] if probes else None


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def container_ports(service: dict[str, Any]) -> set[int]:
    ports = set()
    for port in service.get("ports", []):
        target = port["target"] if isinstance(port, dict) else str(port).rsplit(":", 1)[-1]
        ports.add(int(str(target).split("/")[0]))
    return ports


# --- the Compose Specification ----------------------------------------------------------------

def test_compose_file_is_valid_against_the_compose_specification(compose, compose_schema):
    validator = validator_for(compose_schema)(compose_schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in errors)


def test_compose_file_has_no_obsolete_version_key(compose):
    assert "version" not in compose


def test_images_are_pinned_to_a_tag(services):
    for name, service in services.items():
        image = service.get("image")
        assert image, f"{name} has no image (built services name the image they produce)"
        repository, _, tag = image.rpartition(":")
        assert repository and "/" not in tag, f"{name}: image {image} has no tag"
        assert tag.lower() != "latest", f"{name}: image {image} is not pinned"


# --- the SocialCare services ------------------------------------------------------------------

@pytest.mark.parametrize("name", SERVICES)
def test_service_is_built_from_the_one_dockerfile_for_its_package(services, name):
    assert name in services, f"{name} is missing from docker-compose.yml"
    service = services[name]
    assert "build" in service, f"{name} must be built from the Dockerfile"
    assert (ROOT / service["build"].get("context", ".")).resolve() == ROOT, (
        f"{name}: the build context must be the repository root (the libs are needed)")
    assert dockerfile_of(service) == DOCKERFILE
    assert service["build"]["args"]["SERVICE"] == SERVICES[name]["svc"]
    assert (ROOT / "services" / SERVICES[name]["svc"] / "pyproject.toml").is_file()


def image_module(build_arg: str) -> str:
    """The module the image runs: its ENTRYPOINT expands SERVICE_MODULE, set from SERVICE."""
    stage = final_stage(dockerfile_instructions(DOCKERFILE))
    entrypoint = exec_form(stage, "ENTRYPOINT")
    assert entrypoint is not None and entrypoint[:2] == ["/bin/sh", "-c"]
    assert shlex.split(entrypoint[2]) == ["exec", "python", "-m", "$SERVICE_MODULE", "$@"]
    env = " ".join(rest for kw, rest in stage if kw == "ENV")
    (template,) = re.findall(r"SERVICE_MODULE=(\S+)", env)
    assert ("ARG", "SERVICE") in stage, "the runtime stage must declare the build argument"
    return template.replace("${SERVICE}", build_arg)


@pytest.mark.parametrize("name", SERVICES)
def test_service_runs_the_documented_command(services, name):
    """The image's module plus the compose command is the command of DESIGN.md."""
    service = services[name]
    assert image_module(service["build"]["args"]["SERVICE"]) == "socialcare_" + SERVICES[
        name]["svc"]
    assert exec_form(final_stage(dockerfile_instructions(DOCKERFILE)), "CMD") is None, (
        "no default role: every deployment names it")
    command = service.get("command", [])
    if isinstance(command, str):
        command = shlex.split(command)
    assert command == SERVICES[name]["argv"]


@pytest.mark.parametrize("name", SERVICES)
def test_service_restarts_unless_stopped(services, name):
    assert services[name].get("restart") == "unless-stopped"


@pytest.mark.parametrize("name", [n for n, s in SERVICES.items() if s["port"]])
def test_service_with_a_port_listens_on_it_and_is_health_checked(services, name):
    spec, service = SERVICES[name], services[name]
    env = environment(service)
    assert env.get("SOCIALCARE_HOST") == "0.0.0.0", f"{name} must listen beyond loopback"
    assert env.get(spec["port_env"], str(spec["port"])) == str(spec["port"])
    if service.get("ports"):
        assert container_ports(service) == {spec["port"]}
    probe = healthcheck_text(service)
    assert probe, f"{name} has a port but no health check (responder and others wait on it)"
    assert spec["port_env"] in probe or str(spec["port"]) in probe, (
        f"{name}'s health check probes neither {spec['port_env']} nor port {spec['port']}")


@pytest.mark.parametrize("name", WORKERS)
def test_workers_scale(services, name):
    """`docker compose up --scale NAME=3` needs no fixed name and no host port."""
    service = services[name]
    assert "container_name" not in service
    assert not service.get("ports"), f"{name} publishes ports, so it cannot scale"
    assert "deploy" not in service or "replicas" not in service["deploy"]


@pytest.mark.parametrize("name", SERVICES)
def test_service_settings_names_are_read_by_the_service(services, name):
    """Settings ignore unknown variables, so a misspelt name would silently do nothing."""
    module, _, cls = SERVICES[name]["settings"].partition(":")
    settings = getattr(importlib.import_module(module), cls)
    fields = set(settings.model_fields)
    prefix = settings.model_config.get("env_prefix", "")
    env = environment(services[name])
    unknown = [k for k in env if k.startswith(prefix) and k[len(prefix):].lower() not in fields]
    assert not unknown, f"{name} sets variables {settings.__name__} does not read: {unknown}"
    assert env.get("OTEL_EXPORTER_OTLP_ENDPOINT"), f"{name} exports no telemetry"


def test_services_reach_kafka_mongo_and_the_collector_by_their_service_names(services):
    kafka_env = environment(services["kafka"])
    advertised = {urlparse(u).netloc
                  for u in kafka_env["KAFKA_ADVERTISED_LISTENERS"].split(",")}
    replica_set = services["mongo"]["command"][services["mongo"]["command"].index("--replSet") + 1]
    for name in SERVICES:
        env = environment(services[name])
        assert env["SOCIALCARE_KAFKA_BOOTSTRAP"] in advertised
        otlp = urlparse(env["OTEL_EXPORTER_OTLP_ENDPOINT"])
        assert otlp.hostname in services and otlp.port == 4317
        mongo = urlparse(env.get("SOCIALCARE_MONGO_URL", ""))
        assert mongo.hostname == "mongo" and f"replicaSet={replica_set}" in mongo.query


def settings_of(service: dict[str, Any], settings_path: str, **overrides: str) -> Any:
    """The settings the service builds from exactly its compose environment."""
    module, _, cls = settings_path.partition(":")
    settings_class = getattr(importlib.import_module(module), cls)
    # As Compose interpolates with the variable unset: ${NAME:-default} -> default.
    env = {name: re.sub(r"\$\{\w+:?-([^}]*)\}", r"\1", value)
           for name, value in {**environment(service), **overrides}.items()}
    return settings_from_env(settings_class, env)


@pytest.mark.parametrize("platform", PLATFORM_GATEWAYS)
def test_each_platforms_replies_reach_its_own_gateway(services, platform):
    targets = settings_of(services["responder"], SERVICES["responder"]["settings"]).gateways
    target = targets.get(platform) or targets.get("*")
    assert target, f"the responder has no gateway for {platform}"
    host, _, port = target.rpartition(":")
    assert host in services, f"gateway {target} is no compose service"
    gateway = services[host]
    assert gateway.get("command") == [PLATFORM_GATEWAYS[platform]], (
        f"{platform} replies go to {host}, which runs {gateway.get('command')}")
    assert not gateway.get("profiles"), f"{host} does not run by default"
    assert healthcheck_text(gateway)
    assert environment(gateway).get("SOCIALCARE_GATEWAY_PORT") == port
    assert services["responder"]["depends_on"][host]["condition"] == "service_healthy"


def test_the_gateways_hold_credentials_for_every_brand_ingest_maps(services):
    """A message ingest maps to brand B must be answerable: B's token is in its gateway."""
    ingest = settings_of(services["ingest"], SERVICES["ingest"]["settings"])
    x = settings_of(services["gateway-x"], SERVICES["gateway-x"]["settings"])
    meta = settings_of(services["gateway-meta"], SERVICES["gateway-meta"]["settings"])
    assert set(ingest.x_accounts.values()) <= set(x.x_bearer_tokens)
    assert set(ingest.meta_webhook_accounts.values()) <= set(meta.meta_accounts)
    known_ids = {i for a in meta.meta_accounts.values() for i in (a.page_id, a.instagram_user_id)}
    assert set(ingest.meta_webhook_accounts) <= known_ids
    for brand, platform_id in [(b, i) for i, b in ingest.meta_webhook_accounts.items()]:
        account = meta.meta_accounts[brand]
        assert platform_id in (account.page_id, account.instagram_user_id), brand


@pytest.mark.parametrize("name", ["gateway-x", "gateway-meta"])
def test_the_gateways_refuse_their_dev_credentials_in_production(services, name):
    with pytest.raises(ValueError, match="set real secrets in production"):
        settings_of(services[name], SERVICES[name]["settings"],
                    SOCIALCARE_ENVIRONMENT="production")


# --- dependencies, health and profiles --------------------------------------------------------

def test_dependencies_exist_and_can_become_healthy(services):
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        if isinstance(depends, list):
            depends = {d: {"condition": "service_started"} for d in depends}
        for target, how in depends.items():
            assert target in services, f"{name} depends on unknown service {target}"
            if how.get("condition") == "service_healthy":
                assert healthcheck_text(services[target]), (
                    f"{name} waits for {target} to be healthy, but it has no health check")
            if not service.get("profiles"):
                assert not services[target].get("profiles"), (
                    f"core service {name} depends on {target}, which runs only in a profile")


def test_socialcare_services_wait_for_healthy_infrastructure(services):
    needs = {"kafka": set(SERVICES) - set(GATEWAYS), "mongo": {"router-worker", "router-api"}}
    for infra, dependants in needs.items():
        for name in dependants:
            assert services[name]["depends_on"][infra]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", ["kafka", "mongo"])
def test_infrastructure_has_health_checks(services, name):
    check = services[name].get("healthcheck") or {}
    assert check.get("test") and not check.get("disable")
    assert check.get("start_period"), f"{name} needs a start period to boot in"


def test_kafka_runs_kraft_single_node(services):
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = environment(kafka)
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert not any("ZOOKEEPER" in key for key in env)
    assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "1"


def test_mongo_runs_as_a_replica_set_its_healthcheck_initiates(services):
    mongo = services["mongo"]
    assert re.fullmatch(r"mongo:7(\.\d+)*", mongo["image"])
    replica_set = mongo["command"][mongo["command"].index("--replSet") + 1]
    probe = healthcheck_text(mongo)
    assert "rs.initiate" in probe and f"'{replica_set}'" in probe and "mongo:27017" in probe


def test_core_runs_without_profiles_and_observability_is_opt_in(services):
    for name in [*SERVICES, *CORE_INFRA]:
        assert name in services, f"{name} is missing"
        if name in OPT_IN:
            assert services[name].get("profiles") == [OPT_IN[name]], f"{name} is opt-in"
        else:
            assert set(services[name].get("profiles", [])) <= {"core"}, f"{name} must be core"
    for name in OBSERVABILITY:
        assert name in services, f"{name} is missing"
        assert services[name].get("profiles") == ["observability"]


# --- files the stack mounts ------------------------------------------------------------------

def bind_sources(compose: dict[str, Any]) -> list[tuple[str, str]]:
    """(service or section, host path) for every bind mount, config and secret file."""
    found = []
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            if isinstance(volume, dict):
                if volume.get("type") == "bind":
                    found.append((name, volume["source"]))
            elif volume.split(":", 1)[0].startswith((".", "/", "~")):
                found.append((name, volume.split(":", 1)[0]))
        env_files = service.get("env_file", [])
        for env_file in [env_files] if isinstance(env_files, str | dict) else env_files:
            if isinstance(env_file, str):
                found.append((name, env_file))
            elif env_file.get("required", True):
                found.append((name, env_file["path"]))
    for section in ("configs", "secrets"):
        for key, entry in (compose.get(section) or {}).items():
            if "file" in entry:
                found.append((f"{section}.{key}", entry["file"]))
    return found


def test_every_mounted_file_exists_in_the_repository(compose):
    mounts = bind_sources(compose)
    assert mounts, "the collector, Prometheus and Grafana configuration should be mounted"
    for owner, source in mounts:
        path = (ROOT / source).resolve()
        assert path.is_relative_to(ROOT), f"{owner} mounts {source} from outside the repository"
        assert path.exists(), f"{owner} mounts {source}, which does not exist"


def test_collector_pipelines_use_only_defined_components(services):
    config = yaml.safe_load((ROOT / "deploy/compose/otel-collector.yaml").read_text())
    pipelines = config["service"]["pipelines"]
    assert {"traces", "metrics"} <= set(pipelines)
    for pipeline in pipelines.values():
        for kind in ("receivers", "processors", "exporters"):
            for component in pipeline.get(kind, []):
                assert component in config.get(kind, {}), f"{component} is not defined"
    assert config["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"].endswith(":4317")
    for exporter in config["exporters"].values():
        if isinstance(exporter, dict) and "endpoint" in exporter and "://" not in str(
                exporter["endpoint"]) and not exporter["endpoint"].startswith("0.0.0.0"):
            assert exporter["endpoint"].rpartition(":")[0] in services


def test_prometheus_and_grafana_point_at_services_that_exist(services):
    prometheus = yaml.safe_load((ROOT / "deploy/compose/prometheus.yml").read_text())
    for job in prometheus["scrape_configs"]:
        for static in job["static_configs"]:
            for target in static["targets"]:
                assert target.split(":")[0] in {*services, "localhost"}, target
    datasources = ROOT / "deploy/compose/grafana/provisioning/datasources"
    urls = [d["url"] for f in datasources.glob("*.yaml")
            for d in yaml.safe_load(f.read_text())["datasources"]]
    assert urls
    for url in urls:
        assert urlparse(url).hostname in services, url


# --- Dockerfiles and the build context -------------------------------------------------------

def test_dockerfile_is_multi_stage_pinned_and_non_root():
    relative = DOCKERFILE.name
    instructions = dockerfile_instructions(DOCKERFILE)
    froms = [rest.split() for kw, rest in instructions if kw == "FROM"]
    assert len(froms) >= 2, f"{relative} must be multi-stage"
    stages = {words[2].lower() for words in froms if len(words) >= 3 and words[1].upper() == "AS"}
    for words in froms:
        image = next(w for w in words if not w.startswith("--"))
        if image.lower() in stages:
            continue
        name, _, tag = image.partition("@")[0].rpartition(":")
        assert name and tag and tag != "latest" and "/" not in tag, f"{image} is not pinned"
    assert froms[-1][0].startswith("python:3.11-slim"), "the runtime is python 3.11 slim"
    stage = final_stage(instructions)
    users = [rest for kw, rest in stage if kw == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, f"{relative} runs as root"
    copies_from = [rest for kw, rest in instructions if kw == "COPY" and "--from=" in rest]
    assert any(re.search(r"--from=\S*astral-sh/uv:\d+\.\d+\.\d+", c) for c in copies_from) or any(
        re.match(r"ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+", words[0]) for words in froms), (
        "uv must be pinned by version")


def test_dockerfile_installs_only_its_package_from_the_lock():
    instructions = dockerfile_instructions(DOCKERFILE)
    syncs = [rest for kw, rest in instructions if kw == "RUN" and "uv sync" in rest]
    assert syncs and all(
        {"--frozen", "--no-dev", "socialcare-${SERVICE}"} <= set(s.split()) for s in syncs)
    assert not list(ROOT.glob("services/*/Dockerfile")), "one Dockerfile serves every service"
    runtime = final_stage(instructions)
    assert not any(kw == "RUN" and re.search(r"apt-get install|\buv\b|\bpip\b", rest)
                   for kw, rest in runtime), "no build tools or installers in the runtime stage"
    assert not any(kw == "COPY" and "/uv" in rest for kw, rest in runtime)


def locked_closure(package: str) -> set[str]:
    """Every package ``uv sync --package`` installs for ``package``, read from uv.lock."""
    locked = {entry["name"]: entry for entry in tomllib.loads(
        (ROOT / "uv.lock").read_text())["package"]}
    seen: set[str] = set()
    pending = [{"name": package}]
    while pending:
        dependency = pending.pop()
        entry = locked[dependency["name"]]
        extras = dependency.get("extra", [])
        if dependency["name"] in seen and not extras:
            continue
        seen.add(dependency["name"])
        pending += entry.get("dependencies", [])
        for extra in extras:
            pending += entry["optional-dependencies"][extra]
    return seen


INFRASTRUCTURE_CLIENTS = {"faust-streaming", "aiokafka", "kafka-python", "confluent-kafka",
                          "pymongo", "fastapi"}


def test_the_gateways_install_no_kafka_mongodb_or_http_framework():
    """The gateways speak gRPC to the responder and HTTPS to the platforms, nothing else."""
    assert not locked_closure("socialcare-gateways") & INFRASTRUCTURE_CLIENTS
    # The same walk finds them where they belong, so the check above can fail.
    assert {"faust-streaming", "pymongo", "confluent-kafka"} <= locked_closure(
        "socialcare-router")


def dockerignored(patterns: list[str], path: str) -> bool:
    """Docker's rule for a top-level path: the last matching pattern wins, `!` re-includes."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        cleaned = pattern.lstrip("!").strip("/")
        if fnmatch(path, cleaned) or fnmatch(path, cleaned.removeprefix("**/")):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    for path in (".venv", ".cache", ".local", "tests", "bench", ".git"):
        assert dockerignored(patterns, path), f".dockerignore lets {path} into the context"
    for path in ("pyproject.toml", "uv.lock", "libs", "services"):
        assert not dockerignored(patterns, path), f".dockerignore drops {path}, images need it"


# --- the Grafana dashboard -------------------------------------------------------------------

class _RecordingMeter:
    """Stands in for an OpenTelemetry meter: notes each instrument SocialcareMetrics creates."""

    def __init__(self) -> None:
        self.instruments: list[tuple[str, str, str]] = []

    def _note(self, kind: str, name: str, unit: str = "") -> None:
        self.instruments.append((kind, name, unit))

    def create_counter(self, name: str, unit: str = "", **_: Any) -> None:
        self._note("counter", name, unit)

    def create_histogram(self, name: str, unit: str = "", **_: Any) -> None:
        self._note("histogram", name, unit)

    def create_observable_gauge(self, name: str, callbacks: Any = None, unit: str = "",
                                **_: Any) -> None:
        self._note("gauge", name, unit)


def prometheus_names() -> dict[str, set[str]]:
    """Each instrument of metrics.py -> the series names Prometheus shows for it.

    The exporters' naming: dots become underscores, a unit in braces is dropped, ``s``
    becomes the ``_seconds`` suffix, counters end in ``_total`` and histograms are
    ``_bucket``/``_sum``/``_count``.
    """
    from socialcare_runtime.metrics import SocialcareMetrics

    meter = _RecordingMeter()
    SocialcareMetrics(meter)  # type: ignore[arg-type]
    names = {}
    for kind, name, unit in meter.instruments:
        base = re.sub(r"[^a-zA-Z0-9_]", "_", name)
        if unit and not unit.startswith("{"):
            base += "_" + {"s": "seconds", "ms": "milliseconds", "By": "bytes"}[unit]
        names[name] = ({base + "_total"} if kind == "counter"
                       else {base + s for s in ("_bucket", "_sum", "_count")}
                       if kind == "histogram" else {base})
    return names


def provisioned_dashboards(services: dict[str, Any]) -> list[Path]:
    """The dashboard JSON files Grafana loads: provider paths mapped back to the repository."""
    provisioning = ROOT / "deploy/compose/grafana/provisioning/dashboards"
    providers = [p for f in sorted(provisioning.glob("*.yaml"))
                 for p in yaml.safe_load(f.read_text())["providers"]]
    assert providers, "no Grafana dashboard provider"
    mounts = {volume.split(":")[1]: ROOT / volume.split(":")[0]
              for volume in services["grafana"]["volumes"]}
    files = []
    for provider in providers:
        assert provider["type"] == "file"
        container_path = provider["options"]["path"]
        assert container_path in mounts, f"Grafana does not mount {container_path}"
        files += sorted(mounts[container_path].glob("*.json"))
    return files


def test_grafana_provisions_a_dashboard_of_the_services_metrics(services):
    dashboards = provisioned_dashboards(services)
    assert dashboards, "the provider's folder holds no dashboard"
    datasources = ROOT / "deploy/compose/grafana/provisioning/datasources"
    prometheus_uids = {d["uid"] for f in datasources.glob("*.yaml")
                       for d in yaml.safe_load(f.read_text())["datasources"]
                       if d["type"] == "prometheus"}
    names = prometheus_names()
    known = set().union(*names.values())
    used: set[str] = set()
    for path in dashboards:
        dashboard = json.loads(path.read_text())
        assert dashboard["uid"] and dashboard["title"], path.name
        assert dashboard["panels"], path.name
        for panel in dashboard["panels"]:
            assert panel["targets"], f"panel {panel['title']!r} has no query"
            for target in panel["targets"]:
                assert target["datasource"]["uid"] in prometheus_uids, panel["title"]
                referenced = set(re.findall(r"\bsocialcare_[a-z0-9_]+", target["expr"]))
                assert referenced, f"panel {panel['title']!r} queries no SocialCare metric"
                unknown = referenced - known
                assert not unknown, f"panel {panel['title']!r} queries undefined {unknown}"
                used |= referenced
    unshown = [name for name, series in names.items() if not series & used]
    assert not unshown, f"no panel shows {unshown}"


def test_metric_names_follow_the_exporter():
    """The naming rule above is the one the Prometheus exporter applies to every instrument."""
    pytest.importorskip("opentelemetry.exporter.prometheus")
    from opentelemetry.exporter.prometheus import PrometheusMetricReader
    from opentelemetry.sdk.metrics import MeterProvider
    from prometheus_client import REGISTRY, generate_latest
    from prometheus_client.parser import text_string_to_metric_families

    from socialcare_runtime.metrics import SocialcareMetrics

    provider = MeterProvider(metric_readers=[PrometheusMetricReader()])
    instruments = SocialcareMetrics(provider.get_meter("socialcare-naming-test"))
    instruments.consumed("t", "svc")
    instruments.published("t", "svc")
    instruments.processing.record(0.1, {"stage": "s"})
    instruments.dead_lettered.add(1, {"stage": "s"})
    instruments.sla_event("breached", "q")
    instruments.first_response_s(120, "q", "x")
    instruments.gateway_error("x", "429")
    instruments.set_lag("g", {"t": 3})
    instruments.set_queue_depth({"q": 2})
    try:
        exported = {sample.name
                    for family in text_string_to_metric_families(generate_latest(REGISTRY).decode())
                    for sample in family.samples if sample.name.startswith("socialcare_")}
    finally:
        provider.shutdown()
    assert exported == set().union(*prometheus_names().values())
