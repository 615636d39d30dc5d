"""The atomic replacement of an output folder: a staging folder beside the target, synced to disk
and renamed into place, so that a crash leaves either the old folder or the complete new one."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
from collections.abc import Callable, Set
from pathlib import Path

from newsanno.dataset.manifest import MANIFEST
from newsanno.model.findings import NewsannoError


def is_export(folder: Path) -> bool:
    """Whether ``folder`` holds a newsanno export (so replacing it loses nothing else)."""
    try:
        return is_manifest((folder / MANIFEST).read_text(encoding="utf-8"))
    except OSError:
        return False


def is_manifest(text: str) -> bool:
    """Whether ``text`` is the ``datapackage.json`` of a newsanno export."""
    try:
        manifest = json.loads(text)
    except ValueError:
        return False
    return isinstance(manifest, dict) and "newsanno" in manifest


_STAGING = re.compile(r"(\d+)\.([0-9a-f]{8})\.[0-9a-f]{12}")
"""What follows ``.<target>.tmp-`` in a staging folder's name: the pid and host writing it."""


def _host() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def staging_folder(target: Path) -> Path:
    """A new folder beside ``target`` to write an export into, before it replaces ``target``.

    Its name, ``.<target>.tmp-<pid>.<host>.<random>``, says which process writes it, so staging
    folders that a killed export left behind are removed here: those of this host whose process
    no longer runs (see :func:`stale_staging`).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    for stale in stale_staging(target):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}.{_host()}.{secrets.token_hex(6)}")
    tmp.mkdir()
    return tmp


def stale_staging(target: Path) -> list[Path]:
    """Staging folders beside ``target`` provably left by a dead export: named by
    :func:`staging_folder` on this host, for a process that no longer exists."""
    stale = []
    prefix = f".{target.name}.tmp-"
    with contextlib.suppress(OSError):
        for entry in target.parent.iterdir():
            m = _STAGING.fullmatch(entry.name.removeprefix(prefix))
            if (
                entry.name.startswith(prefix)
                and m is not None
                and m.group(2) == _host()
                and entry.is_dir()
                and not entry.is_symlink()
                and not _running(int(m.group(1)))
            ):
                stale.append(entry)
    return sorted(stale)


def _running(pid: int) -> bool:
    """Whether a process ``pid`` exists (when unsure, as on Windows: yes)."""
    if os.name != "posix" or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but is not ours to signal
        return True
    return True


def _check_target(target: Path) -> None:
    check_target(
        str(target),
        target.exists() and not target.is_dir(),
        target.is_dir() and any(target.iterdir()),
        lambda: is_export(target),
    )


def check_target(
    where: str, not_a_folder: bool, holds_files: bool, holds_export: Callable[[], bool]
) -> None:
    """Refuse an output that is not a folder, or a folder with files that are no export (an
    export replaces the whole folder): of a local folder, or of a URI (the Spark engine's)."""
    if not_a_folder:
        raise NewsannoError(f"{where}: exists and is not a folder; choose another --out")
    if holds_files and not holds_export():
        raise NewsannoError(
            f"{where}: the folder is not empty and holds no newsanno export; "
            "choose a new or empty folder for --out (an export replaces the whole folder)"
        )


def _fsync(path: Path | str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_dir(path: Path | str) -> None:
    """fsync a folder (its entries), where the platform allows it."""
    # Windows cannot open folders; some file systems refuse to sync them
    with contextlib.suppress(OSError):
        _fsync(path)


def _sync_tree(root: Path, synced: Set[str] = frozenset()) -> None:
    """fsync every file and folder under ``root``: what the rename publishes is on disk.

    ``synced``: files (paths relative to ``root``) already synced since they were last written.
    """
    for folder, _, files in os.walk(root):
        for name in files:
            path = os.path.join(folder, name)
            if Path(path).relative_to(root).as_posix() not in synced:
                _fsync(path)
        _sync_dir(folder)


def replace_folder(tmp: Path, target: Path, synced: Set[str] = frozenset()) -> None:
    """Move a finished folder (an export, an import) into place, keeping the old one until the
    new one is there.

    The new files are synced to disk before the rename and the parent folder after it, so a
    crash or power cut leaves either the old dataset or the complete new one.
    """
    _sync_tree(tmp, synced)
    backup: Path | None = None
    if target.exists():
        backup = target.with_name(f".{target.name}.old-{secrets.token_hex(6)}")
        os.replace(target, backup)
    try:
        os.replace(tmp, target)
    except BaseException:
        if backup is not None:
            os.replace(backup, target)
        raise
    _sync_dir(target.parent)
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)
