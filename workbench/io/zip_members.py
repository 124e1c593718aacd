"""A model zip's members, read within a byte budget.

Reading never trusts a size it has not checked: a member's declared size must fit its budget
before a byte is inflated (zipfile then stops at the declared size), and arrays come through
:mod:`workbench.backend.npz`, which checks each header before allocating. Every failure is a
:class:`~workbench.errors.ModelFileError` naming the file and the member.
"""
from __future__ import annotations

import zipfile

from workbench.backend.npz import CORRUPT, FIXED_TIME, first_npy_shape, npz_arrays, npz_budget
from workbench.errors import ModelFileError


def zip_member(name: str) -> zipfile.ZipInfo:
    """A deflated member with a fixed time stamp and ordinary file permissions."""
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _problem(infos, required, optional):
    """(member or None, message) of the first structural problem of a model zip, or None."""
    names = [i.filename for i in infos]
    for name in names:
        if names.count(name) > 1:
            return name, f"appears {names.count(name)} times; a model file holds each member once"
    missing = [m for m in required if m not in names]
    if missing:
        return None, f"not a workbench model (missing {', '.join(missing)})"
    for info in infos:
        if info.filename not in required + optional:
            return info.filename, f"is not a member of a workbench model (expected {', '.join(required + optional)})"
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return info.filename, "is encrypted or compressed with a method other than deflate"
    return None


class ModelZip:
    """The members of a model zip, checked on opening: no duplicate names, every ``required`` name
    and no names but those and ``optional`` ones, stored or deflated, not encrypted. A context manager."""

    def __init__(self, path, required: tuple, optional: tuple = ()):
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except (FileNotFoundError, PermissionError, IsADirectoryError):
            raise
        except CORRUPT as exc:
            raise self.error(None, f"not a zip file, or corrupt or truncated ({exc})") from None
        infos = self._zip.infolist()
        problem = _problem(infos, required, optional)
        if problem:
            self.close()
            raise self.error(*problem)
        self.infos = {i.filename: i for i in infos}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._zip.close()

    def error(self, member, message) -> ModelFileError:
        where = f"{self.path}: {member} " if member else f"{self.path}: "
        return ModelFileError(where + message, self.path, member)

    def check_size(self, member: str, budget: int) -> None:
        size = self.infos[member].file_size
        if size > budget:
            raise self.error(member, f"declares {size:,} bytes, more than the {budget:,} its contents can need")

    def read(self, member: str, budget: int) -> bytes:
        """The member's bytes, refused unread when its declared size exceeds ``budget``."""
        self.check_size(member, budget)
        try:
            with self._zip.open(member) as f:
                return f.read()
        except CORRUPT as exc:
            raise self.error(member, f"is corrupt or truncated ({exc})") from None

    def first_npy_shape(self, member: str) -> tuple:
        """Shape of the first array of an .npz member, from its first bytes."""
        try:
            with self._zip.open(member) as f:
                return first_npy_shape(f)
        except CORRUPT as exc:
            raise self.error(member, f"is corrupt or truncated ({exc})") from None

    def arrays(self, member: str, specs: dict, subset: bool = False) -> dict:
        """``{key: array}`` of an .npz member (see :func:`workbench.backend.npz.npz_arrays`)."""
        data = self.read(member, npz_budget(specs))
        try:
            return npz_arrays(data, specs, subset)
        except ValueError as exc:
            raise self.error(member, str(exc)) from None
