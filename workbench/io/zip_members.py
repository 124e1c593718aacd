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


class ModelZip:
    """The members of a model zip, checked on opening: no duplicate names, only ``allowed`` names,
    stored or deflated, not encrypted. A context manager."""

    def __init__(self, path, allowed: tuple):
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except FileNotFoundError:
            raise
        except CORRUPT as exc:
            raise self.error(None, f"not a zip file, or corrupt or truncated ({exc})") from None
        infos = self._zip.infolist()
        names = [i.filename for i in infos]
        problem = next(((i.filename, f"appears {names.count(i.filename)} times; a model file holds each member "
                         "once") for i in infos if names.count(i.filename) > 1), None) or next(
            ((i.filename, f"is not a member of a workbench model (expected {', '.join(allowed)})")
             for i in infos if i.filename not in allowed), None) or next(
            ((i.filename, "is encrypted or compressed with a method other than deflate") for i in infos
             if i.flag_bits & 0x1 or i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)), None)
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
