"""Who may do what: editors write campaigns, approvers approve them (four-eyes).

Roles come from the configuration (``[campaigns] editors`` and ``approvers``, lists of
names); the command line passes them in. With both lists empty (the default) everyone is
both an editor and an approver, and four-eyes still applies: nobody approves a campaign
they created or last edited. Names are compared without regard to case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from campaigns.errors import CampaignPermissionError


def _key(name: str) -> str:
    return name.strip().casefold()


@dataclass(frozen=True)
class Roles:
    editors: frozenset[str] = frozenset()
    approvers: frozenset[str] = frozenset()

    @classmethod
    def from_names(cls, editors: Iterable[str] = (), approvers: Iterable[str] = ()) -> Roles:
        return cls(frozenset(map(_key, editors)), frozenset(map(_key, approvers)))

    @property
    def open(self) -> bool:
        """No roles configured: everyone may edit and approve."""
        return not self.editors and not self.approvers

    def is_editor(self, actor: str) -> bool:
        return self.open or _key(actor) in self.editors

    def is_approver(self, actor: str) -> bool:
        return self.open or _key(actor) in self.approvers

    def require_editor(self, actor: str, doing: str) -> None:
        if not self.is_editor(actor):
            raise CampaignPermissionError(
                f"{actor} may not {doing}: only editors may ({_listed(self.editors)}); "
                "add the name to [campaigns] editors, or act as an editor with --as NAME"
            )

    def require_approver(self, actor: str, doing: str = "approve campaigns") -> None:
        if not self.is_approver(actor):
            raise CampaignPermissionError(
                f"{actor} may not {doing}: only approvers may ({_listed(self.approvers)}); "
                "add the name to [campaigns] approvers, or act as an approver with --as NAME"
            )

    def require_any_role(self, actor: str, doing: str) -> None:
        if not (self.is_editor(actor) or self.is_approver(actor)):
            raise CampaignPermissionError(
                f"{actor} may not {doing}: only editors and approvers may; add the name to "
                "[campaigns] editors or approvers, or use --as NAME"
            )


def same_person(one: str, other: str) -> bool:
    return _key(one) == _key(other)


def _listed(names: frozenset[str]) -> str:
    return ", ".join(sorted(names)) if names else "none configured"
