"""The thermometer protocols: one module each, found by name, extensible by plug-ins.

Third-party packages add protocols through the entry-point group `checkpoint.protocols`; each
entry point names a `DeviceProtocol` subclass, e.g. in their pyproject.toml:

    [project.entry-points."checkpoint.protocols"]
    my-module = "my_package.thermometer:MyModule"
"""

from __future__ import annotations

from functools import cache
from importlib import import_module
from importlib.metadata import entry_points
from typing import Final

from checkpoint.errors import ValidationError
from checkpoint.thermometer.protocols.base import DeviceProtocol

ENTRY_POINT_GROUP: Final = "checkpoint.protocols"

_BUILTIN: Final[dict[str, str]] = {
    "gy-mcu90614": "checkpoint.thermometer.protocols.gy_mcu90614:GyMcu90614",
    "lu90614": "checkpoint.thermometer.protocols.lu90614:Lu90614",
    "aa55": "checkpoint.thermometer.protocols.aa55:Aa55",
    "optris-ct": "checkpoint.thermometer.protocols.optris_ct:OptrisCt",
    "modbus": "checkpoint.thermometer.protocols.modbus:Modbus",
    "fefd": "checkpoint.thermometer.protocols.fefd:Fefd",
    "line": "checkpoint.thermometer.protocols.line:Line",
}


def _load(target: str) -> type[DeviceProtocol]:
    module_name, _, class_name = target.partition(":")
    loaded = getattr(import_module(module_name), class_name)
    if not (isinstance(loaded, type) and issubclass(loaded, DeviceProtocol)):
        raise TypeError(f"{target} is not a DeviceProtocol")
    return loaded


@cache
def available() -> dict[str, str]:
    """Every protocol name, built-in and plug-in, mapped to where its class lives."""
    found = dict(_BUILTIN)
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        found.setdefault(entry.name, entry.value)
    return found


def protocol_class(name: str) -> type[DeviceProtocol]:
    """The protocol class called `name`; ValidationError listing the known names otherwise."""
    target = available().get(name)
    if target is None:
        raise ValidationError.of(
            "thermometer.unknown_protocol", name=name, known=", ".join(sorted(available()))
        )
    return _load(target)
