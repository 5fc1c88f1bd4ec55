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
