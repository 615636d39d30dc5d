"""Wheel build hook: compile the bulk path's reader (``toolkit/newsanno/read/_jsonl.c``) into the wheel.

A wheel built here carries ``newsanno/read/_jsonl.so``, so ``pip install`` gives the fast reader with no
extra step. It is plain C99 loaded with ctypes (no Python C API), so the wheel is tagged for this
platform only (``py3-none-<platform>``). Without a C compiler, or when compiling fails, the wheel
is pure Python and says so: the bulk path then reads with pyarrow (same results, more slowly),
and ``python -m newsanno.read.native`` builds the library later. Editable installs are left alone:
``make`` builds the library in place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SOURCE = Path("toolkit/newsanno/read/_jsonl.c")
FLAGS = ("-O3", "-std=c99", "-shared", "-fPIC")  # as newsanno.read.native.FLAGS (a test checks)


class NativeBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        source = Path(self.root) / SOURCE
        cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
        if not cc or not source.is_file():
            self.app.display_warning(
                "newsanno: no C compiler; a pure-Python wheel (slower bulk path)"
            )
            return
        self._tmp = tempfile.mkdtemp(prefix="newsanno-native-")
        library = Path(self._tmp) / "_jsonl.so"
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        command = [cc, *FLAGS, f'-DNJ_SOURCE="{digest}"', "-o", str(library), str(source)]
        try:
            subprocess.run(command, check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            self.app.display_warning(
                f"newsanno: cannot compile {SOURCE} ({exc}); a pure-Python wheel"
            )
            return
        build_data["force_include"][str(library)] = "newsanno/read/_jsonl.so"
        build_data["pure_python"] = False
        platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
        build_data["tag"] = f"py3-none-{platform}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if getattr(self, "_tmp", None):
            shutil.rmtree(self._tmp, ignore_errors=True)
