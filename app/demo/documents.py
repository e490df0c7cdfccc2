"""The one loader of the demo documents: the YAML files of the project's ``demo/`` directory.

The documents hold the seeds' content; the modules beside this one only apply them through
the services, with the few rules that are code (names resolved to ids, generated counts)."""

from pathlib import Path
from typing import Any

import yaml

DIRECTORY = "demo"


class DemoDocumentError(RuntimeError):
    """A demo document is missing or is not valid YAML."""


def directory() -> Path:
    """``demo/`` of the source tree (a checkout or an editable install), else of the working
    directory (the Docker image copies it to /srv/demo, beside examples/)."""
    candidates = [Path(__file__).resolve().parents[2] / DIRECTORY, Path.cwd() / DIRECTORY]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise DemoDocumentError(
        "The demo documents were not found in " + " or ".join(str(c) for c in candidates)
    )


def project_file(relative: str) -> Path:
    """A file the documents name relative to the project's root (the parent of ``demo/``)."""
    return directory().parent / relative


def load(name: str) -> Any:
    """The parsed document ``demo/<name>.yaml``."""
    return read(directory() / f"{name}.yaml")


def read(path: Path) -> Any:
    """A parsed YAML document (dates as dates, text as text); a problem names the file."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DemoDocumentError(f"{path}: {exc}") from exc
