"""A Discourse forum through its JSON API: ``/latest.json`` then ``/t/ID.json`` per topic."""

from __future__ import annotations

import json

from listener.dates import parse_time
from listener.html_text import html_to_text
from listener.settings import DiscourseSource
from listener.spiders.base import SourceSpider

# Quotes repeat other posts and name their writers ("rekenwonder_T:"), like in the HTML view.
QUOTES = "aside.quote, aside.onebox, blockquote"


class DiscourseJsonSpider(SourceSpider):
    source: DiscourseSource

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source_state.setdefault("topics", {})

    def api(self, path: str) -> str:
        return f"{self.source.base_url.rstrip('/')}/{path.lstrip('/')}"

    async def start(self):
        yield self.request(self.api("latest.json"), self.parse_latest)

    def _json(self, response) -> dict | None:
        try:
            return json.loads(response.text)
        except ValueError:
            self.count("error/invalid_json")
            return None

    def parse_latest(self, response):
        self.count("pages")
        data = self._json(response)
        topics = (data or {}).get("topic_list", {}).get("topics", [])
        for topic in topics[: self.source.max_topics]:
            # A topic is read again only when it has new posts since the last run.
            key = self.keyed(f"topic:{topic['id']}")
            version = f"{topic.get('posts_count')}|{topic.get('last_posted_at')}"
            if self.source_state["topics"].get(key) == version:
                continue
            yield self.request(
                self.api(f"t/{topic['id']}.json"),
                self.parse_topic,
                cb_kwargs={"key": key, "version": version},
            )

    def parse_topic(self, response, key: str, version: str):
        self.count("pages")
        topic = self._json(response)
        if not topic:
            return
        self.source_state["topics"][key] = version
        for post in topic.get("post_stream", {}).get("posts", []):
            yield self.post(
                url=self.api(
                    f"t/{topic.get('slug', 'topic')}/{topic['id']}/{post.get('post_number')}"
                ),
                title=topic.get("title") or "",
                text=html_to_text(post.get("cooked") or "", remove=QUOTES),
                author=post.get("username"),
                published_at=parse_time(post.get("created_at")),
            )
