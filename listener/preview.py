"""`listen test` for API sources: run one page through a pipeline that stores nothing."""

from __future__ import annotations

from collections import Counter
from typing import Any

from listener.api_listeners import SourceNotConfigured, SourceStopped, api_listener_class
from listener.items import CollectedPost
from listener.pipeline import utc_now
from listener.settings import ListenerSettings
from listener.steps import language_kept
from nlp.language import detect_language
from nlp.normalise import normalise_text
from nlp.scrub import scrub_personal_data


class PreviewPipeline:
    """Looks like PostPipeline to a listener; keeps scrubbed previews instead of storing."""

    def __init__(self, language):
        self.language = language
        self.previews: list[dict[str, Any]] = []
        self.counts: Counter[str] = Counter()

    def process(self, post: CollectedPost) -> str:
        text = normalise_text(post.text)
        guess = detect_language(text) if text else None
        keep = guess is not None and language_kept(guess, self.language)
        self.previews.append({
            "title": scrub_personal_data(normalise_text(post.title)).text,
            "text": scrub_personal_data(text).text,
            "language": guess.language if guess else "",
            "would_keep": keep,
            "has_author": bool(post.author),
            "published_at": post.published_at.isoformat() if post.published_at else None,
        })  # fmt: skip
        self.counts["previewed"] += 1
        return "previewed"

    def commit(self) -> None:
        """Nothing to commit: previews are never stored."""


def preview_api_source(
    name: str, settings: ListenerSettings, secrets: Any
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    source = settings.sources[name]
    if hasattr(source, "max_pages"):
        source = source.model_copy(update={"max_pages": 1})
    try:
        listener = api_listener_class(source.type).from_settings(name, source, secrets)
    except SourceNotConfigured as error:
        return [], {"disabled": str(error)}
    pipeline = PreviewPipeline(settings.language)
    try:
        listener.run(pipeline, {}, utc_now)  # a throw-away state: nothing is remembered
    except SourceStopped as error:
        return pipeline.previews, {"stopped": str(error)}
    return pipeline.previews, dict(pipeline.counts)
