"""Offsets in UTF-16 code units (Java, JavaScript: UIMA, INCEpTION, Label Studio) and in Unicode
code points (Python: newsanno, brat), converted both ways.

A character outside the Basic Multilingual Plane (most emoji) is one code point but two UTF-16
code units (a surrogate pair); every other character is one of each. An offset in code units that
falls between the two halves of a pair names no character boundary: :meth:`Utf16.to_codepoint`
returns ``None`` for it, and the importer reports it, never rounds it.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate


def utf16_length(text: str) -> int:
    """The length of ``text`` in UTF-16 code units, as JavaScript's ``.length`` and Java's
    ``String.length()`` count it."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class Utf16:
    """Offsets of one text in both units. Built once per text: O(n), then O(log n) per offset."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.astral = any(ord(ch) > 0xFFFF for ch in text)
        # units[i]: the UTF-16 offset of code point i (units[len(text)]: the length in units)
        self._units = (
            [0, *accumulate(2 if ord(ch) > 0xFFFF else 1 for ch in text)] if self.astral else []
        )

    @property
    def length(self) -> int:
        """The text's length in UTF-16 code units."""
        return self._units[-1] if self.astral else len(self.text)

    def to_units(self, codepoint: int) -> int:
        """The UTF-16 offset of a code point offset (0 .. len(text))."""
        if not 0 <= codepoint <= len(self.text):
            raise ValueError(f"offset {codepoint} is outside the text (0..{len(self.text)})")
        return self._units[codepoint] if self.astral else codepoint

    def to_codepoint(self, units: int) -> int | None:
        """The code point offset of a UTF-16 offset, or None when it is outside the text or
        splits a surrogate pair."""
        if not 0 <= units <= self.length:
            return None
        if not self.astral:
            return units
        i = bisect_left(self._units, units)
        return i if i < len(self._units) and self._units[i] == units else None


class Newlines:
    """brat's offsets: it reads a ``.txt`` with universal newlines, so a CRLF (and a lone CR) is
    one ``\\n`` and counts as one character (nlplab/brat issue #853). newsanno keeps the text as
    it is, so offsets are mapped between the two (only CRLF shifts them; a lone CR stays one)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.normalized = text.replace("\r\n", "\n").replace("\r", "\n")
        self._crlf = [i for i in range(len(text) - 1) if text[i] == "\r" and text[i + 1] == "\n"]
        # where each CRLF's single character sits in the normalized text
        self._normal = [c - k for k, c in enumerate(self._crlf)]

    def to_raw(self, offset: int) -> int:
        """The offset in the text as it is, of an offset in brat's normalized text."""
        return offset + bisect_left(self._normal, offset)

    def to_normalized(self, offset: int) -> int | None:
        """brat's offset of an offset in the text as it is; None between a CR and its LF."""
        k = bisect_left(self._crlf, offset)
        if k and self._crlf[k - 1] == offset - 1:
            return None
        return offset - k
