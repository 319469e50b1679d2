"""CSS selectors for common forum engines, written against their standard themes.

phpBB 3 (prosilver), XenForo 2, Discourse's server-rendered (no-JavaScript) pages and
vBulletin 4. ``thread_row`` is the listing element of one thread; its text changes when the
thread gets a reply, which is what incremental crawls compare. A selector ending in
``::attr(...)`` or ``::text`` is read as such; otherwise the element's whole text is taken.
"""

from __future__ import annotations

from listener.settings import ForumSelectors

PRESETS: dict[str, ForumSelectors] = {
    "phpbb": ForumSelectors(
        thread_row="ul.topiclist.topics li.row",
        thread_links="a.topictitle::attr(href)",
        listing_next="div.pagination li.arrow.next a::attr(href)",
        post="div.post",
        text="div.content",
        remove="blockquote, div.signature, div.notice, div.inline-attachment",
        author="p.author a.username::text, p.author a.username-coloured::text",
        time="p.author time::attr(datetime)",
        permalink="::attr(id)",
        thread_next="div.pagination li.arrow.next a::attr(href)",
        title="h2.topic-title a::text, h2.topic-title::text",
    ),
    "xenforo": ForumSelectors(
        thread_row="div.structItem--thread",
        thread_links="div.structItem-title a[data-tp-primary]::attr(href), "
        "div.structItem-title a:last-child::attr(href)",
        listing_next="a.pageNav-jump--next::attr(href)",
        post="article.message--post",
        text="div.bbWrapper",
        remove="blockquote.bbCodeBlock--quote, div.bbCodeBlock--quote, "
        "div.bbCodeBlock-expandLink, aside.message-signature",
        author="::attr(data-author)",
        time="header.message-attribution time.u-dt::attr(datetime)",
        permalink="::attr(data-content)",
        thread_next="a.pageNav-jump--next::attr(href)",
        title="h1.p-title-value::text",
    ),
    "discourse_html": ForumSelectors(
        thread_row="tr.topic-list-item, div.topic-list-item",
        thread_links="a.raw-topic-link::attr(href), a.title::attr(href)",
        listing_next="a[rel=next]::attr(href)",
        post="div.topic-body.crawler-post",
        text="div.post[itemprop], div[itemprop=text], div[itemprop=articleBody]",
        remove="aside.quote, aside.onebox, div.cooked-date",
        author="span.creator span[itemprop=name]::text",
        time="time[itemprop=datePublished]::attr(datetime)",
        permalink="meta[itemprop=position]::attr(content), ::attr(id)",
        thread_next="a[rel=next]::attr(href)",
        title="h1 a::text, h1::text",
    ),
    "vbulletin": ForumSelectors(
        thread_row="li.threadbit",
        thread_links="h3.threadtitle a.title::attr(href)",
        listing_next="a[rel=next]::attr(href)",
        post="li.postcontainer",
        text="div[id^=post_message_] blockquote.postcontent, div[id^=post_message_]",
        remove="div.bbcode_container, div.bbcode_quote, div.signature",
        author="a.username strong::text, .username::text",
        time="span.postdate span.date",
        permalink="::attr(id)",
        thread_next="a[rel=next]::attr(href)",
        title="span.threadtitle a::text, h2.title::text, title::text",
    ),
}
