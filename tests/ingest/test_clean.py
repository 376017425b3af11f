"""Cleaning rules: each removes its kind of chrome, and a clean paragraph comes through untouched."""

import pytest

from ingest.clean import classify_line, clean_text, dominant_script

ARTICLE = ("The Department for Education said it would set up a national workload action group. "
           "It would identify solutions to “unnecessary” pressures on practitioners.")


@pytest.mark.unit
@pytest.mark.parametrize("line, rule", [
    ("]]>", "feed_markup"),
    ("https://example.org/2024/05/image.jpg Community Care Photo: Someone/Adobe Stock", "feed_markup"),
    ("https://www.example.org/2024/05/21/story/#comments", "feed_markup"),
    ("You are commenting using your Twitter account. Log Out / Change )", "comment_widget"),
    ("WordPress.com Logo", "comment_widget"),
    ("Print Friendly, PDF & Email", "share_chrome"),
    ("Sign up for our newsletter to receive updates, as well as educational articles.", "share_chrome"),
    ("You can make a one-off donation or set up a monthly direct debit to us at any time.", "share_chrome"),
    ("£42,403 - £45,441", "job_ad"),
    ("Most popular articles today", "promo_list"),
    ("Sponsored Content", "promo_list"),
    ("Photo: Vitalii Vodolazskyi/Adobe Stock", "photo_credit"),
    ("Note: There is a poll embedded within this post, please visit the site to participate.", "poll_notice"),
    ("Collaboration / Development / Innovation / Good Practice News", "breadcrumb"),
])
def test_chrome_lines_are_classified(line, rule):
    assert classify_line(line) == rule


@pytest.mark.unit
@pytest.mark.parametrize("line", [
    ARTICLE,
    "The Budget also pledged an extra £1.3bn in grant funding for local authorities for 2025-26.",
    "Read more about the changes: https://www.example.org/news/story",
    "Family help",
    "• Agency work: National rules to reduce the use and cost of locum work.",
    "Share this plan.",
    "Share this report with colleagues.",
    "£30,000 to £40,000 a year was offered?",
    "Log out of the case system before leaving.",
    "3 comments on the plan were received by the department.",
    "Credits: the council paid for the review of services.",
])
def test_content_lines_are_kept(line):
    assert classify_line(line) is None


@pytest.mark.unit
def test_spam_in_another_script_is_removed_and_counted():
    result = clean_text("极速赛车168最新开奖号码 Councils selected to test the role\n\n" + ARTICLE)
    assert "极" not in result.text and "168" not in result.text
    assert result.text.startswith("Councils selected to test the role")
    assert result.removed["foreign_script"] == 1


@pytest.mark.unit
def test_dominant_script_is_latin_for_english_text():
    assert dominant_script("极速 " + ARTICLE) == "LATIN"


@pytest.mark.unit
def test_clean_paragraph_is_unchanged():
    assert clean_text(ARTICLE).text.strip() == ARTICLE


@pytest.mark.unit
def test_teaser_repeating_the_opening_is_removed_once():
    opening = "Further delay to the reform of children’s social care will prolong the crisis, charities have warned."
    raw = f"{opening[:70]}…\n]]>\n\n{opening}\n"
    result = clean_text(raw)
    assert result.text.count("Further delay") == 1
    assert result.removed["duplicate_teaser"] == 1


@pytest.mark.unit
def test_repeated_caption_and_glued_caption_are_removed():
    raw = ("Care review lead Josh MacAlister\n\nCare review lead Josh MacAlister\n\n"
           "justice-2The Education Committee has stated its view.\n")
    result = clean_text(raw)
    assert "Care review lead" not in result.text
    assert result.text.strip() == "The Education Committee has stated its view."
    assert result.removed["repeated_caption"] == 2 and result.removed["glued_caption"] == 1


@pytest.mark.unit
def test_caption_above_a_credit_is_removed_but_a_heading_is_kept():
    raw = ("Prevention plan written in a note pad and documents.\n\nPhoto: Someone/Adobe Stock\n\n"
           "‘My team was my main source of supervision’\n\nPhoto: Other/Adobe Stock\n\nBody text follows here.\n")
    result = clean_text(raw)
    assert "Prevention plan" not in result.text
    assert "‘My team was my main source of supervision’" in result.text
