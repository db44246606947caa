"""Package hygiene: importing every module never replaces a public function by a module.

A submodule named like a function a package exports (e.g. ``measures.change`` the module vs
``measures.change`` the function) silently turns the function into a module once the submodule
is imported somewhere, so the public API then depends on import order.
"""

from __future__ import annotations

import importlib
import pkgutil
import types

import socint


def test_public_names_stay_what_they_are_after_importing_everything() -> None:
    modules = [m.name for m in pkgutil.walk_packages(socint.__path__, "socint.")]
    for name in modules:
        importlib.import_module(name)
    bad = []
    for name in modules:
        mod = importlib.import_module(name)
        for public in getattr(mod, "__all__", []):
            value = getattr(mod, public, None)
            if isinstance(value, types.ModuleType) and not hasattr(value, "__path__"):
                bad.append(f"{name}.{public}")
    assert bad == [], f"public names shadowed by submodules: {bad}"
