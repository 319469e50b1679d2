"""Short excerpts of scrubbed posts, for when a corporation switches examples on (DESIGN §5).

An excerpt is a few words around the point of interest, never a whole post: a full
sentence can be searched back to its writer. Links, handles and hashtags are cut out, as
they can lead to the writer; the scrubber's placeholders ("[NAAM]") stay.
"""

from __future__ import annotations

import re

from nlp.normalise import fold_accents

MAX_EXCERPT_CHARS = 160
_LINKS = re.compile(r"(?:https?://|www\.)\S+|[@#][\w.]+", re.IGNORECASE)
_WORD = re.compile(r"\S+")


def excerpt(text: str, start: int | None = None, end: int | None = None, words: int = 8) -> str:
    """About ``words`` words either side of text[start:end] (or the opening words)."""
    spans = [m.span() for m in _WORD.finditer(text)]
    if not spans:
        return ""
    if start is None:
        first, last = 0, min(len(spans), 2 * words) - 1
    else:
        hit = [i for i, (a, b) in enumerate(spans) if b > start and a < (end or start + 1)]
        centre = hit[0] if hit else 0
        first = max(0, centre - words)
        last = min(len(spans) - 1, (hit[-1] if hit else centre) + words)
    piece = text[spans[first][0] : spans[last][1]]
    piece = " ".join(_LINKS.sub("…", piece).split())
    piece = re.sub(r"…(?:\s*…)+", "…", piece)  # a cut link next to a cut end
    if len(piece) > MAX_EXCERPT_CHARS:
        piece = piece[: MAX_EXCERPT_CHARS - 1].rsplit(" ", 1)[0]
        last = len(spans)  # cut: mark the end
    prefix = "… " if first > 0 and not piece.startswith("…") else ""
    suffix = " …" if last < len(spans) - 1 and not piece.endswith("…") else ""
    return prefix + piece + suffix


def find_term(text: str, term: str) -> tuple[int, int] | None:
    """Where the words of ``term`` (folded, lower case) stand next to each other in ``text``."""
    wanted = term.split()
    words = [(m.start(), m.end(), fold_accents(m.group().casefold())) for m in
             re.finditer(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", text)]  # fmt: skip
    for i in range(len(words) - len(wanted) + 1):
        if [w for _, _, w in words[i : i + len(wanted)]] == wanted:
            return words[i][0], words[i + len(wanted) - 1][1]
    return None
