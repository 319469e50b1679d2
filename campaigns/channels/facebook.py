"""The Facebook channel: feed posts on the corporation's own Page through the Graph API.

``POST /{version}/{page-id}/feed`` with ``message`` and ``link``, authorised by a Page access
token sent in the form body (never in the URL, where logs would keep it).

Why not facebook-sdk here
    The listener reads Pages with facebook-sdk, patching its version after construction. For
    writing, the library adds nothing a form POST does not do, and it drops the HTTP status
    and headers the publisher needs to tell a rate limit from a refusal. This is a thin client
    on ``requests`` with Graph API errors sorted by their documented codes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import requests

from campaigns.channels.base import (
    Channel,
    ChannelError,
    Health,
    PermanentError,
    Post,
    Receipt,
    TemporaryError,
)

# Codes from the Graph API's error handling guide.
AUTH_CODES = frozenset({10, 102, 190, 463, 467, *range(200, 300)})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80001, 80015)})
TRANSIENT_CODES = frozenset({1, 2})
DUPLICATE_CODES = frozenset({506})  # "Duplicate status message"
MESSAGE_MAX = 63_206  # the longest message Facebook accepts


class FacebookPage(Channel):
    type = "facebook"

    def __init__(self, name: str, settings: Any, secret: Any):
        super().__init__(name, settings, secret)
        self.session = requests.Session()

    @property
    def base(self) -> str:
        return f"{self.settings.api_url}/{self.settings.graph_version}"

    def request(self, post: Post) -> dict[str, Any]:
        message = post.body.strip()
        if not message:
            raise PermanentError(f"channel {self.name}: a Facebook post needs a text")
        if len(message) > MESSAGE_MAX:
            raise PermanentError(
                f"channel {self.name}: the text has {len(message)} characters; Facebook takes "
                f"at most {MESSAGE_MAX}"
            )
        return {
            "method": "POST",
            "path": f"/{self.settings.graph_version}/{self.settings.page_id}/feed",
            "form": {"message": message, "link": post.link},
        }

    def publish(self, post: Post) -> Receipt:
        form = self.request(post)["form"]
        answer = self._call("POST", f"{self.settings.page_id}/feed", data=form)
        return Receipt(str(answer["id"]), _post_url(str(answer["id"])))

    def update(self, remote_id: str, post: Post) -> Receipt:
        form = self.request(post)["form"]
        self._call("POST", remote_id, data={"message": form["message"]})
        return Receipt(remote_id, _post_url(remote_id))

    def delete(self, remote_id: str) -> None:
        self._call("DELETE", remote_id)

    def find(self, post: Post, since: datetime) -> Receipt | None:
        params = {
            # `link` is refused on Page posts since v3.3; attachments carry the link now.
            "fields": "id,message,created_time,attachments{unshimmed_url,url}",
            "since": str(int(since.astimezone(UTC).timestamp())),
            "limit": "100",
        }
        answer = self._call("GET", f"{self.settings.page_id}/feed", params=params)
        message = post.body.strip()
        for entry in answer.get("data", []):
            attachments = (entry.get("attachments") or {}).get("data", [])
            links = {a.get("unshimmed_url") for a in attachments} | {
                a.get("url") for a in attachments
            }
            if post.link in links or entry.get("message") == message:
                return Receipt(str(entry["id"]), _post_url(str(entry["id"])))
        return None

    def health(self) -> Health:
        try:
            answer = self._call("GET", self.settings.page_id, params={"fields": "id,name"})
        except ChannelError as error:
            return Health(False, str(error))
        return Health(True, f"Page {answer.get('name') or answer.get('id')}")

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        data: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        token = self.require_secret(self.settings.page_token_env, "the Page access token")
        if method == "POST":
            data = {**(data or {}), "access_token": token}
            headers = {}
        else:
            headers = {"Authorization": f"Bearer {token}"}
        try:
            response = self.session.request(
                method,
                f"{self.base}/{path}",
                params=params,
                data=data,
                headers=headers,
                timeout=self.settings.timeout_seconds,
            )
        except (requests.Timeout, requests.ConnectionError) as error:
            raise TemporaryError(
                f"channel {self.name}: no answer from Facebook ({type(error).__name__})"
            ) from None
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.status_code < 400 and isinstance(answer, dict) and "error" not in answer:
            return answer
        raise self._error(response, answer if isinstance(answer, dict) else {}, token)

    def _error(
        self, response: requests.Response, answer: dict[str, Any], token: str
    ) -> ChannelError:
        error = answer.get("error") if isinstance(answer.get("error"), dict) else {}
        code, status = error.get("code"), response.status_code
        text = f"channel {self.name}: Facebook answered {status}"
        if error.get("message"):
            # Graph echoes a token it cannot parse ("Malformed access token ...").
            text += ": " + str(error["message"]).replace(token, "[the Page token]")
        if code in RATE_LIMIT_CODES or status == 429:
            return TemporaryError(text, "rate_limit", _retry_after(response))
        if code in AUTH_CODES or status in (401, 403):
            return PermanentError(text + "; renew the Page access token", "auth")
        if code in DUPLICATE_CODES:
            return PermanentError(text, "duplicate")
        if status >= 500 or code in TRANSIENT_CODES or error.get("is_transient"):
            return TemporaryError(text)
        if not error:
            return TemporaryError(text + " without a Graph API error")
        return PermanentError(text)


def _post_url(post_id: str) -> str:
    return f"https://www.facebook.com/{post_id}"


def _retry_after(response: requests.Response) -> float | None:
    """Meta's ``estimated_time_to_regain_access`` (minutes) from the usage headers."""
    minutes: list[float] = []
    for name in ("x-business-use-case-usage", "x-page-usage", "x-app-usage"):
        try:
            value = json.loads(response.headers.get(name) or "null")
        except ValueError:
            continue
        stack = [value]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                for key, inner in item.items():
                    if key == "estimated_time_to_regain_access" and isinstance(inner, int | float):
                        minutes.append(float(inner))
                    else:
                        stack.append(inner)
            elif isinstance(item, list):
                stack.extend(item)
    return max(minutes) * 60 if minutes else None
