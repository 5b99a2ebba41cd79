"""Approximate figures (dedup.facts): "قرابه 60" ("about 60") in one copy and the exact 59 in another are one
fact; two approximations of different figures stay two facts, so formula items keep apart."""

from __future__ import annotations

from dedup.facts import APPROXIMATE, approximate, token_facts
from dedup.numbers import Quantity
from dedup.templates import explain

FESTIVAL = "واختتم المهرجان فعالياته التي ضمت {} برنامجا سياحيا وثقافيا في متنزهات ابها وسط حضور كبير من الزوار".format


def test_an_approximation_states_the_exact_figure_it_rounds() -> None:
    exact, about = FESTIVAL("59").split(), FESTIVAL("قرابه 60").split()
    assert explain(exact, about).kind == "duplicate"
    assert explain(FESTIVAL("نحو 60").split(), exact).kind == "duplicate"
    assert explain(FESTIVAL("about 150").split(), FESTIVAL("147").split()).kind == "duplicate"


def test_approximations_of_different_figures_are_different_facts() -> None:
    assert explain(FESTIVAL("نحو 50").split(), FESTIVAL("نحو 60").split()).kind == "template"
    assert explain(FESTIVAL("قرابه 60").split(), FESTIVAL("80").split()).kind == "template"
    assert explain(FESTIVAL("59").split(), FESTIVAL("61").split()).kind == "template"  # exact figures: exact


def test_the_approximation_word_is_read_behind_its_particles() -> None:
    facts = token_facts("وصل ما يقارب 60 زايرا".split())
    assert facts[3] is not None and facts[3].quantities == (Quantity(60.0, 10.0),)
    facts = token_facts("وصل وحوالي 60 زايرا".split())
    assert facts[2] is not None and facts[2].quantities[0].unit == 10.0
    assert token_facts("وصل 60 زايرا".split())[1].quantities == (Quantity(60.0),)  # type: ignore[union-attr]
    assert "قرابه" in APPROXIMATE and approximate((Quantity(3.0),)) == (Quantity(3.0),)
