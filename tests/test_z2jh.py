"""The course on Zero to JupyterHub is on paper (no Kubernetes cluster, no image registry here), but
its files are real: docs/administrators/z2jh/values.yaml must parse as YAML and say what
docs/administrators/kubernetes.md says it says (the single-user image, the exchange volume's
mount, the authenticator, each role's nbgrader settings pointing at the kit's exchange classes),
and the Dockerfile beside it must build the students' image without the kit (whose solutions they
must not read) and the staff's with it, from the pinned versions.  Each check can fail: a copy of
the values with the exchange mount removed is refused.
"""

import re

import pytest
import yaml

from dnngrader.hub import access
from dnngrader.paths import COURSE_ROOT

FOLDER = COURSE_ROOT / "docs" / "administrators" / "z2jh"
EXCHANGE = "/srv/nbgrader/exchange"


def problems(values):
    """What the values ``values`` (parsed) lack of what the kit needs; empty when nothing."""
    found = []
    singleuser = values.get("singleuser", {})
    image = singleuser.get("image", {})
    if not image.get("name") or not image.get("tag"):
        found.append("no single-user image")
    storage = singleuser.get("storage", {})
    volumes = {volume["name"]: volume for volume in storage.get("extraVolumes", [])}
    mounts = {mount["name"]: mount["mountPath"] for mount in storage.get("extraVolumeMounts", [])}
    if mounts.get("nbgrader-exchange") != EXCHANGE or "persistentVolumeClaim" not in volumes.get(
        "nbgrader-exchange", {}
    ):
        found.append("no exchange volume mounted at " + EXCHANGE)
    authenticator = values.get("hub", {}).get("config", {}).get("JupyterHub", {}).get("authenticator_class", "")
    if not authenticator or "dummy" in authenticator.lower():
        found.append("no real authenticator")
    files = singleuser.get("extraFiles", {})
    for role in ("student", "staff"):
        settings = next(
            (
                entry.get("stringData", "")
                for entry in files.values()
                if entry.get("mountPath") == f"/etc/dnngrader/jupyter/{role}/nbgrader_config.py"
            ),
            "",
        )
        if (
            f'c.Exchange.root = "{EXCHANGE}"' not in settings
            or f"{access.EXCHANGE_MODULE}.PrivateSubmit" not in settings
        ):
            found.append(f"no {role} nbgrader settings with the exchange and the kit's submit")
        if role == "staff" and f"{access.EXCHANGE_MODULE}.CheckedCollect" not in settings:
            found.append("the staff's collect is not the kit's")
    hook = values.get("hub", {}).get("extraConfig", {}).get("dnngrader", "")
    compile(hook, "hub.extraConfig.dnngrader", "exec")  # Python the hub runs: it must at least compile
    if "spawner.uid" not in hook or "JUPYTER_CONFIG_PATH" not in hook:
        found.append("no per-user uid and role configuration in the hub's pre-spawn hook")
    if singleuser.get("extraEnv", {}).get("PYTHONPATH") != "/opt/dnngrader/python":
        found.append("the exchange classes are not on the servers' PYTHONPATH")
    return found


def values():
    """The values file, parsed."""
    return yaml.safe_load((FOLDER / "values.yaml").read_text())


def test_the_values_file_says_what_the_course_needs():
    assert problems(values()) == []


@pytest.mark.parametrize("fault", ["exchange mount", "authenticator", "staff collect"])
def test_values_missing_a_piece_are_refused(fault):
    broken = values()
    if fault == "exchange mount":
        broken["singleuser"]["storage"]["extraVolumeMounts"] = []
    elif fault == "authenticator":
        broken["hub"]["config"]["JupyterHub"]["authenticator_class"] = "dummy"
    else:
        staff = broken["singleuser"]["extraFiles"]["nbgrader-staff"]
        staff["stringData"] = staff["stringData"].replace("CheckedCollect", "ExchangeCollect")
    assert problems(broken)


def test_the_dockerfile_keeps_the_kit_out_of_the_students_image():
    text = (FOLDER / "Dockerfile").read_text()
    stages = re.split(r"^FROM ", text, flags=re.M)[1:]
    assert [stage.split()[2] for stage in stages] == ["student", "staff"], [stage.split()[:3] for stage in stages]
    student, staff = stages
    # The students' image: pinned packages and the exchange classes only, never the kit's package.
    assert "-c /opt/dnngrader/constraints.txt" in student
    assert not re.search(r"^COPY dnngrader /", student, re.M) and "pip install --no-deps" not in student
    copied = re.search(r"^COPY (dnngrader/hub/\S+ ?)+", student, re.M).group(0).split()[1:]
    assert sorted(path.rsplit("/", 1)[1] for path in copied) == sorted(access.EXCHANGE_MODULES)
    # The staff's: the kit's whole pinned environment and the kit.
    assert "-r /opt/dnngrader/requirements.txt -c /opt/dnngrader/constraints.txt" in staff
    assert re.search(r"^COPY dnngrader /", staff, re.M) and "pip install --no-deps /opt/dnngrader/kit" in staff
    # The Python the kit pins (pyproject's requires-python, the Makefile's 3.11).
    assert text.count("FROM python:3.11-") == 1
