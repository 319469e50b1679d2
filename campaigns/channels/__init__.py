"""Channels by type, built from `[channels.NAME]` settings (DESIGN §2: registered by name).

The registry maps a channel type to the module and class that implement it; modules are
imported on first use, so tweepy and the HTTP clients load only when a channel needs them.
"""

from __future__ import annotations

import importlib
from typing import Any

from campaigns.channels.base import Channel, SecretLookup
from campaigns.channels.dryrun import DryRun

CHANNEL_CLASSES = {
    "wordpress": "campaigns.channels.wordpress:WordPressBlog",
    "x": "campaigns.channels.x:XAccount",
    "facebook": "campaigns.channels.facebook:FacebookPage",
    "themesite": "campaigns.channels.themesite:ThemeSiteArticles",
    "dryrun": "campaigns.channels.dryrun:DryRunRecorder",
}


def build_channel(name: str, settings: Any, secret: SecretLookup) -> Channel:
    """The channel ``[channels.NAME]`` describes; with ``dry_run = true`` it sends nothing."""
    module, attribute = CHANNEL_CLASSES[settings.type].split(":")
    channel_class = getattr(importlib.import_module(module), attribute)
    channel: Channel = channel_class(name, settings, secret)
    return DryRun(channel) if settings.dry_run and settings.type != "dryrun" else channel
