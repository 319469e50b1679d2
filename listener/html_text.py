"""Turn a fragment of scraped HTML into plain text, safely.

Scripts, styles, embedded frames and anything matched by ``remove`` (quotes, signatures) are
dropped before the text is taken, so hostile markup never reaches the store as text.
"""

from __future__ import annotations

import lxml.html
from lxml import etree
from parsel import Selector

_DROP_TAGS = ("script", "style", "noscript", "iframe", "object", "embed", "template", "svg")
_BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
    "table", "section", "article", "header", "footer", "pre", "dd", "dt",
}  # fmt: skip


def selector_text(selector: Selector, remove: str = "") -> str:
    """The visible text of a parsel selection, with line breaks between blocks."""
    html = selector.get() if hasattr(selector, "get") else str(selector)
    return html_to_text(html, remove)


def html_to_text(html: str, remove: str = "") -> str:
    if not html or not html.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    etree.strip_elements(root, *_DROP_TAGS, etree.Comment, with_tail=False)
    if remove:
        for element in root.cssselect(remove):
            parent = element.getparent()
            if parent is not None:
                _keep_tail(element)
                parent.remove(element)
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
            if element.tag.lower() == "br":
                continue
            element.text = "\n" + (element.text or "")
    return root.text_content().strip()


def _keep_tail(element) -> None:
    """Removing an element must not remove the text that follows it."""
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent = element.getparent()
            parent.text = (parent.text or "") + element.tail
