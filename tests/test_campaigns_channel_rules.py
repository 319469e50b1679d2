"""Channel rules: X's weighted length, the help link, channel formats and one clear action."""

from __future__ import annotations

import pytest

from campaigns.channel_rules import (
    CampaignItemText,
    check_campaign,
    check_item,
    comparable_link,
    find_actions,
    url_spans,
    x_post_text,
    x_weighted_length,
)

HELP = "https://www.woonstichting-test.nl/hulp-bij-betalen"
LINK = "https://woonstichting-test.nl/hulp-bij-betalen?utm_source=x&utm_campaign=december"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
SHORT = "Zit je krap bij kas deze maand? Bel ons, dan zoeken we samen een oplossing."
ARTICLE = (
    "December is een dure maand. Cadeaus, eten en feestjes kosten veel geld. "
    "Misschien merk je dat je huur dan lastig wordt. Je bent niet de enige. "
) * 6 + "Wacht niet te lang. Bel ons op 088 123 45 67, dan kijken we samen wat kan."
SUMMARY = "Is december krap? Lees wat je kunt doen als je huur lastig wordt, en wie je helpt."


def checks(findings) -> list[str]:
    return [finding.check for finding in findings]


def only(findings, check: str):
    [finding] = [f for f in findings if f.check == check]
    return finding


# --- X's weighted length ---


def test_campaigns_channel_rules_x_length_280_ascii_fits_281_does_not():
    assert x_weighted_length("a" * 280) == 280
    assert x_weighted_length("a" * 281) == 281
    assert "channel.x_too_long" not in checks(
        check_item("x", title=None, body="Bel ons. " + "a" * 247, link=LINK, help_page=HELP)
    )


def test_campaigns_channel_rules_x_length_url_counts_23_whatever_its_length():
    url = "https://woonstichting-test.nl/" + "a" * 70
    assert len(url) == 100
    assert x_weighted_length(url) == 23
    assert x_weighted_length(f"Kijk op {url} nu") == 8 + 23 + 3
    assert x_weighted_length("http://t.co") == 23


def test_campaigns_channel_rules_x_length_bare_domain_is_a_url_but_email_is_not():
    assert x_weighted_length("kijk op woonstichting-test.nl/hulp") == 8 + 23
    assert url_spans("mail info@woonstichting-test.nl") == []
    assert x_weighted_length("zie foo.invalidtld") == len("zie foo.invalidtld")


def test_campaigns_channel_rules_x_length_dutch_letters_count_1():
    assert x_weighted_length("één café, coördinatie, ruïne") == 28
    # Decomposed letters are normalised to NFC first: "e" + combining acute is one letter.
    assert x_weighted_length("e\u0301e\u0301n") == 3


def test_campaigns_channel_rules_x_length_euro_sign_counts_2_as_in_twitter_text_v3():
    # U+20AC lies outside every weight-1 range of twitter-text v3, so X counts it as 2.
    assert x_weighted_length("€") == 2
    assert x_weighted_length("€ 50") == 5


def test_campaigns_channel_rules_x_length_emoji_and_cjk_count_2():
    assert x_weighted_length("👍") == 2
    assert x_weighted_length(FAMILY) == 2
    assert x_weighted_length("🙋🏽") == 2
    assert x_weighted_length("🇳🇱") == 2
    assert x_weighted_length("故人西辞") == 8
    assert x_weighted_length("©") == 1  # text-style © is a Latin-1 character
    assert x_weighted_length("©\ufe0f") == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi http://test.co", 26),
        (f"H🐱☺{FAMILY}", 7),
        ("😷👾😡🔥💩", 10),
        ("🙋🏽👨\u200d🎤", 4),
        ("A\ufb2c", 4),  # NFC turns one Hebrew presentation form into three letters
        ("randomurlrandomurlrandomurlrandomurlrandomurlrandomurlrandomurls.com", 68),
        ("https://www.twitter.com/aloha " * 10, 240),
        ("285 chars- http://www.twitter.com/jack " + "xxxxxxxxxx-" * 24, 299),
    ],
)
def test_campaigns_channel_rules_x_length_matches_twitter_text_conformance(text, expected):
    assert x_weighted_length(text) == expected


def test_campaigns_channel_rules_x_post_text_appends_link_once():
    assert x_post_text("Bel ons.", LINK) == f"Bel ons. {LINK}"
    assert x_post_text(f"Bel ons: {LINK}", LINK) == f"Bel ons: {LINK}"
    assert x_post_text("Bel ons.", None) == "Bel ons."


def test_campaigns_channel_rules_x_too_long_reports_excess_and_span():
    body = "Bel ons. " + "a" * 248  # 257 + " " + 23 for the link = 281
    finding = only(
        check_item("x", title=None, body=body, link=LINK, help_page=HELP), "channel.x_too_long"
    )
    assert finding.severity == "error"
    assert "281 van de 280" in finding.explanation and "1 te veel" in finding.explanation
    assert (finding.start, finding.end) == (256, 257)
    assert finding.text == body[256:]


def test_campaigns_channel_rules_x_too_long_span_counts_emoji_double():
    body = "Bel ons " + "👍" * 140  # 8 + 280
    finding = only(check_item("x", title=None, body=body, link=LINK), "channel.x_too_long")
    assert finding.start == 8 + 124  # 8 + 124 * 2 = 256 fits next to " " + the link
    assert "32 te veel" in finding.explanation


def test_campaigns_channel_rules_x_too_long_span_indexes_the_body_as_given():
    body = "Bel ons. " + "e\u0301" * 248  # decomposed: 496 code points, 248 letters after NFC
    finding = only(check_item("x", title=None, body=body, link=LINK), "channel.x_too_long")
    assert "1 te veel" in finding.explanation
    assert (finding.start, finding.end) == (9 + 2 * 247, len(body))
    assert finding.text == body[finding.start :] == "e\u0301"


# --- the help link ---


def test_campaigns_channel_rules_link_missing_is_an_error():
    finding = only(
        check_item("facebook", title=None, body=SHORT, link=None), "channel.link_missing"
    )
    assert finding.severity == "error"
    assert (finding.start, finding.end, finding.text) == (0, len(SHORT), SHORT)


def test_campaigns_channel_rules_link_on_help_host_passes():
    for link in (LINK, HELP, "https://WWW.Woonstichting-Test.nl/andere-pagina"):
        found = check_item("facebook", title=None, body=SHORT, link=link, help_page=HELP)
        assert found == [], link


def test_campaigns_channel_rules_link_on_other_host_is_an_error():
    findings = check_item(
        "facebook", title=None, body=SHORT, link="https://example.com/hulp", help_page=HELP
    )
    finding = only(findings, "channel.link_wrong_host")
    assert finding.severity == "error"
    assert "example.com" in finding.explanation and HELP in finding.suggestion


def test_campaigns_channel_rules_link_in_x_body_counts_as_the_link():
    body = f"Zit je krap? Bel ons of kijk op {LINK}"
    assert check_item("x", title=None, body=body, link=None, help_page=HELP) == []
    other = "Zit je krap? Bel ons: https://example.com/hulp"
    finding = only(
        check_item("x", title=None, body=other, link=None, help_page=HELP),
        "channel.link_wrong_host",
    )
    assert finding.text == "https://example.com/hulp"
    assert other[finding.start : finding.end] == finding.text


# --- channel formats ---


def test_campaigns_channel_rules_empty_message_is_an_error():
    assert "channel.empty" in checks(check_item("facebook", title=None, body="  ", link=LINK))
    assert "channel.empty" in checks(check_item("x", title=None, body="", link=LINK))
    assert "channel.no_action" not in checks(check_item("x", title=None, body="", link=LINK))


def test_campaigns_channel_rules_facebook_long_message_is_a_warning():
    body = SHORT + " " + "Dit is extra uitleg over je huur. " * 13
    assert len(body) > 500
    finding = only(
        check_item("facebook", title=None, body=body, link=LINK), "channel.facebook_too_long"
    )
    assert finding.severity == "warning"
    assert (finding.start, finding.end) == (500, len(body))
    assert check_item("facebook", title=None, body=body[:500], link=LINK) == []


def test_campaigns_channel_rules_article_complete_passes():
    for channel in ("wordpress", "themesite"):
        found = check_item(
            channel,
            title="Is december krap?",
            body=ARTICLE,
            link=LINK,
            summary=SUMMARY,
            help_page=HELP,
        )
        assert found == [], channel


def test_campaigns_channel_rules_article_needs_title_and_summary():
    findings = check_item("wordpress", title=None, body=ARTICLE, link=LINK, summary=" ")
    assert only(findings, "channel.title_missing").severity == "error"
    assert only(findings, "channel.summary_missing").severity == "error"


def test_campaigns_channel_rules_article_long_title_warns_with_cut_span():
    title = "Zit je krap bij kas in december en weet je niet hoe je de huur betaalt deze keer"
    finding = only(
        check_item("wordpress", title=title, body=ARTICLE, link=LINK, summary=SUMMARY),
        "channel.title_too_long",
    )
    assert finding.severity == "warning"
    assert (finding.start, finding.end, finding.text) == (70, len(title), title[70:])


@pytest.mark.parametrize(
    ("summary", "span"),
    [("Te kort.", (0, 8)), ("Lange samenvatting " * 10, (160, 190))],
)
def test_campaigns_channel_rules_article_summary_length_warns(summary, span):
    finding = only(
        check_item("wordpress", title="Krap?", body=ARTICLE, link=LINK, summary=summary),
        "channel.summary_length",
    )
    assert finding.severity == "warning"
    assert (finding.start, finding.end) == span
    assert finding.text == summary[span[0] : span[1]]


def test_campaigns_channel_rules_article_short_body_warns():
    findings = check_item("wordpress", title="Krap?", body=SHORT, link=LINK, summary=SUMMARY)
    finding = only(findings, "channel.body_too_short")
    assert finding.severity == "warning" and "15 woorden" in finding.explanation
    assert "channel.body_too_short" not in checks(
        check_item("dryrun", title=None, body=SHORT, link=LINK)
    )


def test_campaigns_channel_rules_unknown_channel_is_refused():
    with pytest.raises(ValueError, match="Available: x, facebook"):
        check_item("telefax", title=None, body=SHORT, link=LINK)  # type: ignore[arg-type]


# --- one clear action ---


def test_campaigns_channel_rules_no_action_warns():
    body = "December is een dure maand. Veel mensen hebben het krap."
    finding = only(check_item("facebook", title=None, body=body, link=LINK), "channel.no_action")
    assert finding.severity == "warning"
    assert "geen duidelijke actie" in finding.explanation.lower()


def test_campaigns_channel_rules_nouns_are_not_actions():
    body = "Heb je een vraag over de app? Stuur het per mail."
    assert find_actions(body) == []
    assert "channel.no_action" in checks(check_item("facebook", title=None, body=body, link=LINK))


@pytest.mark.parametrize(
    ("body", "label"),
    [
        ("Bel ons gerust.", "bellen"),
        ("Je kunt ons ook bellen.", "bellen"),
        ("Doe de huurcheck.", "checken"),
        ("Maak een afspraak met Sanne.", "een afspraak maken"),
        ("Vul het formulier in.", "invullen"),
        ("Kijk op onze site.", "kijken"),
    ],
)
def test_campaigns_channel_rules_actions_are_found(body, label):
    assert [found[2] for found in find_actions(body)] == [label]
    assert "channel.no_action" not in checks(
        check_item("facebook", title=None, body=body, link=LINK)
    )


def test_campaigns_channel_rules_two_actions_are_fine_three_warn():
    two = "Heb je vragen? Lees de tips of bel ons."
    assert check_item("facebook", title=None, body=two, link=LINK) == []
    three = "Lees de tips, bel ons of mail ons vandaag nog."
    finding = only(
        check_item("facebook", title=None, body=three, link=LINK), "channel.many_actions"
    )
    assert finding.severity == "warning"
    assert (finding.start, finding.end) == (three.index("bel ons"), three.index(" vandaag"))
    assert finding.text == "bel ons of mail ons"
    assert "lezen, bellen en mailen" in finding.explanation


# --- one campaign, one message ---


def blog(**changes) -> CampaignItemText:
    fields = dict(
        channel_type="wordpress",
        title="Is december krap? Zo blijft je huur betaald",
        body=ARTICLE,
        link=HELP,
        summary=SUMMARY,
    )
    return CampaignItemText(**{**fields, **changes})


def test_campaigns_channel_rules_campaign_same_link_ignores_utm_and_www():
    assert (
        comparable_link(LINK)
        == comparable_link(HELP + "/")
        == "woonstichting-test.nl/hulp-bij-betalen"
    )
    items = [blog(), CampaignItemText("x", None, "December krap? Bel ons.", LINK)]
    assert check_campaign(items) == []


def test_campaigns_channel_rules_campaign_other_link_is_an_error_on_that_item():
    other = "https://woonstichting-test.nl/contact"
    body = f"December krap? Bel ons via {other}"
    items = [
        blog(),
        CampaignItemText("x", None, body, other),
        CampaignItemText("facebook", None, "Huur in december krap? Bel ons.", LINK),
    ]
    [(index, finding)] = check_campaign(items)
    assert index == 1 and finding.check == "campaign.link_differs"
    assert finding.severity == "error"
    assert (finding.start, finding.end) == (body.index(other), len(body))


def test_campaigns_channel_rules_campaign_other_message_warns():
    items = [
        blog(),
        CampaignItemText("x", None, "Is je huur in december lastig? Bel ons.", LINK),
        CampaignItemText("facebook", None, "Onze nieuwe buurtmoestuin opent zaterdag!", LINK),
    ]
    [(index, finding)] = check_campaign(items)
    assert index == 2 and finding.check == "campaign.message_differs"
    assert finding.severity == "warning"
    assert (finding.start, finding.end) == (0, len(items[2].body))


def test_campaigns_channel_rules_campaign_message_folds_plurals_and_uses_first_without_blog():
    items = [
        CampaignItemText("x", None, "Schulden? Bel ons.", LINK),
        CampaignItemText("facebook", None, "Een schuld is op te lossen. Bel ons.", LINK),
    ]
    assert check_campaign(items) == []
    assert check_campaign([]) == []
