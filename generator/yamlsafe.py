"""YAML, safely and fast: libyaml's C safe loader when installed, the
pure-Python safe loader otherwise. Only safe loading exists in newsgen."""

from __future__ import annotations

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAMLError = yaml.YAMLError


def safe_load(text: str) -> object:
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
