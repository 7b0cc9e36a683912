"""Checks that packaging/kubernetes/ holds what docs/operations.md says, and that its parts agree
with each other: the ports, paths and names the Deployment uses are the ones the ConfigMap's
faultline.yaml configures. Prints each problem and exits 1; needs PyYAML (python3-yaml)."""
import pathlib
import sys

import yaml

root = pathlib.Path(sys.argv[1])
problems = []


def expect(condition, what):
    if not condition:
        problems.append(what)


def load(name):
    docs = [d for d in yaml.safe_load_all((root / name).read_text()) if d is not None]
    expect(len(docs) == 1, f"{name}: expected one document, found {len(docs)}")
    return docs[0]


kustomization = load("kustomization.yaml")
expect(sorted(kustomization.get("resources", [])) == ["configmap.yaml", "deployment.yaml"],
       "kustomization.yaml: resources must be configmap.yaml and deployment.yaml")

configmap = load("configmap.yaml")
expect(configmap.get("kind") == "ConfigMap", "configmap.yaml: kind must be ConfigMap")
config = yaml.safe_load(configmap["data"]["faultline.yaml"])

deployment = load("deployment.yaml")
expect(deployment.get("kind") == "Deployment", "deployment.yaml: kind must be Deployment")
pod = deployment["spec"]["template"]["spec"]
sidecars = [c for c in pod.get("initContainers", []) if c["name"] == "faultline"]
expect(len(sidecars) == 1, "deployment.yaml: no init container named faultline")
if problems:
    print("\n".join(problems))
    sys.exit(1)
faultline = sidecars[0]
app = pod["containers"][0]
volumes = {v["name"]: v for v in pod["volumes"]}


def mount(container, path):
    found = [m for m in container.get("volumeMounts", []) if m["mountPath"] == path]
    return found[0] if found else None


# A native sidecar, started as `faultline run` with the ConfigMap's file.
expect(faultline.get("restartPolicy") == "Always",
       "faultline: restartPolicy must be Always (a native sidecar)")
expect(faultline.get("command") == ["faultline", "run", "-c", "/etc/faultline/faultline.yaml"],
       "faultline: command must be faultline run -c /etc/faultline/faultline.yaml")
config_mount = mount(faultline, "/etc/faultline")
expect(config_mount is not None
       and volumes.get(config_mount["name"], {}).get("configMap", {}).get("name")
       == configmap["metadata"]["name"],
       "faultline: /etc/faultline must be the ConfigMap " + configmap["metadata"]["name"])

# The DSN from a Secret.
env = {e["name"]: e for e in faultline.get("env", [])}
expect("secretKeyRef" in env.get("SENTRY_DSN", {}).get("valueFrom", {}),
       "faultline: SENTRY_DSN must come from a secretKeyRef")
expect("dsn" not in config.get("sentry", {}), "configmap.yaml: the DSN must not be in the ConfigMap")

# Probes on the port server.listen binds, not on loopback.
host, _, port = config["server"]["listen"].rpartition(":")
expect(host not in ("127.0.0.1", "localhost", "[::1]"),
       "configmap.yaml: server.listen on loopback cannot be probed by the kubelet")
ports = {p["name"]: p["containerPort"] for p in faultline.get("ports", [])}
for probe, path in (("startupProbe", "/readyz"), ("readinessProbe", "/readyz"),
                    ("livenessProbe", "/healthz")):
    get = faultline.get(probe, {}).get("httpGet", {})
    expect(get.get("path") == path, f"faultline: {probe} must ask {path}")
    expect(ports.get(get.get("port"), get.get("port")) == int(port),
           f"faultline: {probe} must use port {port} (server.listen)")
annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
expect(annotations.get("prometheus.io/port") == port,
       f"prometheus.io/port must be {port} (server.listen)")

# The app writes where faultline reads; faultline only reads it.
inputs_dir = str(pathlib.PurePosixPath(config["inputs"][0]["path"]).parent)
app_logs, faultline_logs = mount(app, inputs_dir), mount(faultline, inputs_dir)
expect(app_logs is not None and faultline_logs is not None
       and app_logs["name"] == faultline_logs["name"]
       and "emptyDir" in volumes.get(app_logs["name"], {}),
       f"the app and faultline must share an emptyDir at {inputs_dir} (inputs[0].path)")
expect(faultline_logs is not None and faultline_logs.get("readOnly") is True,
       f"faultline must mount {inputs_dir} read-only")

# state.dir is a writable volume (the root file system is read-only).
state = mount(faultline, config["state"]["dir"])
expect(state is not None and not state.get("readOnly", False)
       and "emptyDir" in volumes.get(state["name"], {}),
       f"faultline: state.dir {config['state']['dir']} must be a writable emptyDir")

# Resources and a locked-down container.
resources = faultline.get("resources", {})
for key in ("cpu", "memory"):
    expect(key in resources.get("requests", {}), f"faultline: no {key} request")
expect("memory" in resources.get("limits", {}), "faultline: no memory limit")
security = faultline.get("securityContext", {})
expect(security.get("readOnlyRootFilesystem") is True, "faultline: readOnlyRootFilesystem")
expect(security.get("allowPrivilegeEscalation") is False, "faultline: allowPrivilegeEscalation")
expect(security.get("capabilities", {}).get("drop") == ["ALL"], "faultline: drop ALL capabilities")
expect(pod.get("securityContext", {}).get("runAsNonRoot") is True, "pod: runAsNonRoot")
expect(isinstance(security.get("runAsUser"), int) and security["runAsUser"] != 0,
       "faultline: runAsUser must be a non-zero uid (the image's 10001)")

print("\n".join(problems) if problems else "packaging/kubernetes: consistent")
sys.exit(1 if problems else 0)
