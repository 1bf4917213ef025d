"""The one place asyncssh is imported, and only when ssh is really used (the meta-service and every
CLI command that does not open an ssh connection never load it). Its import makes cryptography
(46 and newer) warn that DSA is deprecated, once per DSA type asyncssh registers; dorisctl neither
offers nor accepts DSA keys, so those warnings are silenced for that import only: a user sees none,
and other warnings are left alone."""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType

_module: ModuleType | None = None


def asyncssh() -> ModuleType:
    global _module
    if _module is None:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"DSA is deprecated", category=Warning)
            _module = importlib.import_module("asyncssh")
    return _module
