"""A small Kustomize renderer for these manifests, for machines without kubectl.

It supports what deploy/k8s uses and nothing more: ``resources`` (files and
directories), ``patches`` with a path (strategic merge: maps merge, lists of named items
merge by name, other lists are replaced), ``namespace``, ``namePrefix`` (with the
references this repository uses: ConfigMap/Secret refs, service accounts, scale targets,
Ingress backends, KEDA scale targets: what base/keda-references.yaml tells kustomize
through ``configurations``), ``labels`` and ``images``. ``kubectl kustomize`` renders the
same; a contract test compares the two when kubectl is installed.

Usage: ``python -m deploy.k8s.render deploy/k8s/overlays/prod > prod.yaml``
"""

import copy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

Resource = dict[str, Any]
SUPPORTED = {"apiVersion", "kind", "resources", "patches", "namespace", "namePrefix",
             "labels", "images", "configurations"}
NAMESPACED_NOT = {"Namespace", "ClusterRole", "ClusterRoleBinding"}


def render(directory: Path) -> list[Resource]:
    """The resources a kustomization directory produces."""
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(spec) - SUPPORTED
    if unknown:
        raise ValueError(f"{directory}: unsupported kustomization fields {sorted(unknown)}")
    resources: list[Resource] = []
    for entry in spec.get("resources", ()):
        path = (directory / entry).resolve()
        resources += render(path) if path.is_dir() else list(_documents(path))
    for patch in spec.get("patches", ()):
        for doc in _documents(directory / patch["path"]):
            target = _find(resources, doc["kind"], doc["metadata"]["name"])
            resources[resources.index(target)] = merge(target, doc)
    for label_set in spec.get("labels", ()):
        for resource in resources:
            _label(resource, label_set)
    for image in spec.get("images", ()):
        for resource in resources:
            for container in _containers(resource):
                _retag(container, image)
    if prefix := spec.get("namePrefix"):
        _prefix_names(resources, prefix)
    if namespace := spec.get("namespace"):
        for resource in resources:
            if resource["kind"] not in NAMESPACED_NOT:
                resource["metadata"]["namespace"] = namespace
    return resources


def merge(base: Any, patch: Any) -> Any:
    """Strategic merge of ``patch`` onto ``base`` for the fields these manifests use."""
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = merge(base[key], value) if key in base else copy.deepcopy(value)
        return merged
    if isinstance(base, list) and isinstance(patch, list) and _named(base) and _named(patch):
        merged_list = [copy.deepcopy(item) for item in base]
        for item in patch:
            match = next((i for i, old in enumerate(merged_list)
                          if old["name"] == item["name"]), None)
            if match is None:
                merged_list.append(copy.deepcopy(item))
            else:
                merged_list[match] = merge(merged_list[match], item)
        return merged_list
    return copy.deepcopy(patch)


def _named(items: list) -> bool:
    return all(isinstance(i, dict) and "name" in i for i in items)


def _documents(path: Path) -> Iterator[Resource]:
    for doc in yaml.safe_load_all(path.read_text()):
        if doc:
            yield doc


def _find(resources: list[Resource], kind: str, name: str) -> Resource:
    for resource in resources:
        if resource["kind"] == kind and resource["metadata"]["name"] == name:
            return resource
    raise ValueError(f"patch target {kind}/{name} is not among the resources")


def _template(resource: Resource) -> Resource | None:
    return resource.get("spec", {}).get("template") if resource["kind"] in (
        "Deployment", "StatefulSet", "DaemonSet", "Job") else None


def _containers(resource: Resource) -> list[Resource]:
    template = _template(resource)
    if template is None:
        return []
    pod = template["spec"]
    return pod.get("initContainers", []) + pod.get("containers", [])


def _label(resource: Resource, label_set: Resource) -> None:
    pairs = label_set["pairs"]
    resource["metadata"].setdefault("labels", {}).update(pairs)
    template = _template(resource)
    if template is not None and (label_set.get("includeTemplates")
                                 or label_set.get("includeSelectors")):
        template.setdefault("metadata", {}).setdefault("labels", {}).update(pairs)
    if label_set.get("includeSelectors"):
        if template is not None:
            resource["spec"]["selector"].setdefault("matchLabels", {}).update(pairs)
        elif resource["kind"] == "Service":
            resource["spec"].setdefault("selector", {}).update(pairs)


def _retag(container: Resource, image: Resource) -> None:
    name, _, tag = container["image"].partition(":")
    if name != image["name"]:
        return
    new_tag = image.get("newTag", tag)
    container["image"] = image.get("newName", name) + (f":{new_tag}" if new_tag else "")


def _prefix_names(resources: list[Resource], prefix: str) -> None:
    names = {(r["kind"], r["metadata"]["name"]) for r in resources}

    def renamed(kind: str, name: str) -> str:
        return prefix + name if (kind, name) in names else name

    for resource in resources:
        spec = resource.get("spec", {})
        template = _template(resource)
        if template is not None:
            _prefix_pod(template["spec"], renamed)
        if "scaleTargetRef" in spec:
            target = spec["scaleTargetRef"]
            target["name"] = renamed(target.get("kind", "Deployment"), target["name"])
        for rule in spec.get("rules", ()) if resource["kind"] == "Ingress" else ():
            for path in rule.get("http", {}).get("paths", ()):
                service = path["backend"]["service"]
                service["name"] = renamed("Service", service["name"])
        resource["metadata"]["name"] = prefix + resource["metadata"]["name"]


def _prefix_pod(pod: Resource, renamed: Any) -> None:
    if "serviceAccountName" in pod:
        pod["serviceAccountName"] = renamed("ServiceAccount", pod["serviceAccountName"])
    for container in pod.get("initContainers", []) + pod.get("containers", []):
        for source in container.get("envFrom", ()):
            for field, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                if field in source:
                    source[field]["name"] = renamed(kind, source[field]["name"])
        for env in container.get("env", ()):
            ref_from = env.get("valueFrom", {})
            for field, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                if field in ref_from:
                    ref_from[field]["name"] = renamed(kind, ref_from[field]["name"])
    for volume in pod.get("volumes", ()):
        if "configMap" in volume:
            volume["configMap"]["name"] = renamed("ConfigMap", volume["configMap"]["name"])
        if "secret" in volume:
            volume["secret"]["secretName"] = renamed("Secret", volume["secret"]["secretName"])


def main(argv: list[str] | None = None) -> int:
    """Prints the rendered overlay as one multi-document YAML stream."""
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        sys.stderr.write("usage: python -m deploy.k8s.render <kustomization directory>\n")
        return 2
    sys.stdout.write(yaml.safe_dump_all(render(Path(args[0])), sort_keys=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
