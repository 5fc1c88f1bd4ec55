from pathlib import Path

from app.glossary import GLOSSARY
from app.models.enums import SEGMENTS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_every_segment_is_defined_in_the_glossary():
    for segment in SEGMENTS:
        assert segment in GLOSSARY["Segments"]


def test_the_readme_carries_the_glossary_word_for_word():
    for term, definition in GLOSSARY.items():
        assert f"**{term}**: {definition}" in README, term


def test_product_terms_name_the_minimums_the_engine_applies():
    from app.analytics.baskets import MIN_FIRST_BUYERS, MIN_PAIR_ORDERS
    from app.dash_apps.pages.products import TERMS

    assert all(term in GLOSSARY for term in TERMS)
    assert f"fewer than {MIN_PAIR_ORDERS} orders" in GLOSSARY["Support, confidence and lift"]
    assert f"fewer than {MIN_FIRST_BUYERS} new customers" in GLOSSARY["First product → repeat rate"]
    # Profit never silently counts a missing cost as zero, and says so.
    assert "never counted as costing nothing" in GLOSSARY["Gross profit"]
