"""The theme-site channel: campaign articles as Markdown files for the static site builder.

Each article is ``CONTENT_DIR/KEY.md``: TOML front matter between ``+++`` lines, then the
body in Markdown. The site builder (`themesites`) reads these files; the two packages share
files, not code (DESIGN §3). Files are written to a temporary name and renamed, so a crash
never leaves half an article, and the idempotency key in the name makes ``find`` exact.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from campaigns.channels.base import Channel, Health, PermanentError, Post, Receipt
from campaigns.links import slugify


class ThemeSiteArticles(Channel):
    type = "themesite"

    @property
    def folder(self) -> Path:
        return Path(self.settings.content_dir)

    def request(self, post: Post) -> dict[str, Any]:
        if not post.title:
            raise PermanentError(f"channel {self.name}: a theme-site article needs a title")
        published = post.publish_at or datetime.now(UTC)
        return {
            "file": f"{post.key}.md",
            "title": post.title,
            "summary": post.summary,
            "slug": slugify(post.title),
            "date": published.isoformat(timespec="seconds"),
            "link": post.link,
            "tags": list(post.tags),
            "campaign": post.campaign,
            "site": self.settings.site,
            "body": post.body,
        }

    def publish(self, post: Post) -> Receipt:
        return self._write(post)

    def update(self, remote_id: str, post: Post) -> Receipt:
        return self._write(post)

    def delete(self, remote_id: str) -> None:
        (self.folder / f"{remote_id}.md").unlink(missing_ok=True)

    def find(self, post: Post, since: datetime) -> Receipt | None:
        path = self.folder / f"{post.key}.md"
        return Receipt(post.key, path.as_uri()) if path.is_file() else None

    def health(self) -> Health:
        if not self.folder.is_dir():
            return Health(False, f"{self.folder} does not exist; create it or fix content_dir")
        if not os.access(self.folder, os.W_OK):
            return Health(False, f"{self.folder} is not writable")
        articles = sum(1 for _ in self.folder.glob("*.md"))
        return Health(True, f"{self.folder}: {articles} articles", {"articles": articles})

    def _write(self, post: Post) -> Receipt:
        request = self.request(post)
        front = [
            f"{key} = {_one_line(str(request[key]))}"
            for key in ("title", "summary", "slug", "date", "link", "campaign", "site")
            if request[key]
        ]
        front.append("tags = [" + ", ".join(_one_line(tag) for tag in post.tags) + "]")
        front.append(f"key = {_one_line(post.key)}")
        text = "+++\n" + "\n".join(front) + "\n+++\n\n" + post.body.strip() + "\n"
        temporary: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / request["file"]
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.folder, prefix=".", suffix=".tmp", delete=False
            ) as handle:
                temporary = handle.name
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except OSError as error:
            if temporary:
                Path(temporary).unlink(missing_ok=True)
            raise PermanentError(
                f"channel {self.name}: cannot write to {self.folder}: {error.strerror}", "config"
            ) from error
        return Receipt(post.key, path.as_uri())


def _one_line(value: str) -> str:
    """A TOML basic string on one line, so no value can hold a ``+++`` line of its own.

    JSON escapes are valid TOML, except that JSON leaves DEL (U+007F) as it is.
    """
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
