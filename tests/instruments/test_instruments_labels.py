"""Human labels and number formats of the instrument pages (issue 14)."""

from __future__ import annotations

import math

from socint.instruments.labels import interval, la_name, label, p_value


def test_labels_are_words() -> None:
    assert label("black_caribbean") == "Black Caribbean"
    assert label("no_qualifications") == "No qualifications"
    assert label("white_gypsy_traveller") == "Gypsy, Roma or Irish Traveller"
    assert label("some_new_indicator") == "Some new indicator"


def test_p_values_and_intervals() -> None:
    assert p_value(0.0) == "<0.001" and p_value(0.0004) == "<0.001"
    assert p_value(0.0123) == "0.012" and p_value(0.5) == "0.50"
    assert p_value(math.nan) == "" and p_value(None) == ""
    assert interval(-0.251, -0.165) == "\u22120.25 to \u22120.17"
    assert interval(0.412, 0.45, 1, percent=True) == "41.2% to 45.0%"
    assert interval(math.nan, 1.0) == ""


def test_la_names_from_the_bundled_lookups() -> None:
    # ONS names: E08000032 Bradford (both vintages), E06000008 Blackburn with Darwen;
    # E07000112 was Shepway in 2011 lookups and Folkestone and Hythe in 2021 ones
    assert la_name("E08000032") == "Bradford"
    assert la_name("E06000008") == "Blackburn with Darwen"
    assert la_name("E07000112") == "Folkestone and Hythe"
    assert la_name("E99999999") is None
