"""Exercise checkers: ``sk.checks.check_<exercise>(answer)`` in each check cell.

Checkers live in one module per topic (``foundations``, …), each built on
:class:`~surveykit.checks.core.Check`. Every public ``check_*`` function of every module
in this package is exported here, so a new module needs no registration.
"""

import importlib
import pkgutil

from .core import Check, CheckFailed

__all__ = ["Check", "CheckFailed"]

for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name == "core":
        continue
    _module = importlib.import_module(f"{__name__}.{_info.name}")
    for _name in getattr(_module, "__all__", ()):
        if _name.startswith("check_"):
            if _name in globals():
                raise ImportError(f"two checker modules define {_name}")
            globals()[_name] = getattr(_module, _name)
            __all__.append(_name)
