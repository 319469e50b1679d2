"""What goes wrong in the campaign workflow; the command line shows each as one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from campaigns.checks import CheckReport


class CampaignError(Exception):
    """A campaign action the user can put right; the message says how."""


class CampaignNotFound(CampaignError):
    """No campaign (or item) with that number."""


class CampaignStateError(CampaignError):
    """The action is not allowed in the campaign's current status."""


class CampaignPermissionError(CampaignError):
    """The actor lacks the role for the action, or four-eyes forbids it."""


class CampaignInputError(CampaignError):
    """A field or a scheduled time is invalid."""


class CampaignCheckFailed(CampaignError):
    """The content checks found errors; ``report`` holds every finding."""

    def __init__(self, message: str, report: CheckReport):
        super().__init__(message)
        self.report = report
