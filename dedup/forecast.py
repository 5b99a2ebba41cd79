"""Weather reports: the regions and the kinds of weather a day's report names (:func:`forecast_facts`).

Two days' reports of one forecaster share their whole formula; :mod:`dedup.templates` reads what they name as
their facts.

>>> sorted(forecast_facts("حاله الطقس رياح نشطه علي تبوك".split()))
['تبوك']
"""

from __future__ import annotations

from collections.abc import Sequence

from dedup.datelines import AGENCIES
from dedup.numbers import PREFIXES, bare

# fmt: off
# A weather report: the forecaster ("الارصاد") or the weather ("الطقس"), and what it is about (wind, waves, rain).
_FORECAST_CUES = frozenset({"ارصاد", "طقس", "طقسا"})
_FORECAST_TOPICS = frozenset({"رياح", "موج", "امطار", "حراره", "سحب", "رويه"})
# What a day's report says that another day's does not: the regions and cities it names and the weather there.
# (Bare forms: "والطايف" and "الطايف" are "طايف". Compass words are left out: winds are "شماليه غربيه" every day.)
_FORECAST_PLACES = frozenset({
    "رياض", "مكه", "منوره", "قصيم", "عسير", "تبوك", "حايل", "جازان", "جيزان", "نجران", "باحه",
    "جوف", "طايف", "جده", "ابها", "دمام", "احساء", "ينبع", "خرج", "عرعر", "سكاكا", "بيشه", "قريات", "باطن",
    "رابغ", "قنفذه", "ليث", "حدود", "مشيط", "شروره", "رفحاء", "عنيزه", "بريده",
})
# Kinds of weather, each under one key: reworded copies of one day's report write its rain as "امطار رعديه" or
# "سحب رعديه", its dust as "اتربه مثاره" or "عوالق ترابيه".
_FORECAST_WEATHER = {
    **dict.fromkeys(("امطار", "امطارا", "ممطره", "رعديه", "رعد", "سحب", "ركاميه", "برق", "سيول"), "rain"),
    **dict.fromkeys(("غبار", "اتربه", "ترابيه", "عوالق"), "dust"),
    **dict.fromkeys(("ضباب",), "fog"),
    **dict.fromkeys(("غايمه",), "cloud"),
    **dict.fromkeys(("مايج", "عواصف", "عاصفه"), "rough"),
    **dict.fromkeys(("ثلوج", "صقيع"), "frost"),
}
# fmt: on
_FORECAST_FORMS = frozenset({p + w for p in ("", *PREFIXES) for w in _FORECAST_CUES})


def forecast_facts(tokens: Sequence[str]) -> frozenset[str] | None:
    """The places and kinds of weather a weather report names (bare forms), or ``None`` when the text is no
    weather report. Two days' reports of one forecaster share their whole formula (the wind, the waves, the
    "شديد الحراره علي شرق ووسط المملكه"): the regions and the weather named there are what differs, and
    dedup.templates reads them as facts.

    >>> sorted(forecast_facts("توقعت الارصاد امطارا رعديه علي جازان وعسير مع رياح نشطه".split()))
    ['rain', 'جازان', 'عسير']
    >>> forecast_facts("امطار غزيره علي جازان".split()) is None  # no forecaster, no weather: a news item
    True
    """
    if _FORECAST_FORMS.isdisjoint(tokens):
        return None
    # The page's own words are no forecast: an agency's dateline ("واس الرياض") and a link line repeating the
    # title at the foot ("رابط الخبر بصحيفه ... توقعات بهطول امطار ...").
    start = 3 if not AGENCIES.isdisjoint(tokens[:3]) else 0
    stop = next((k for k in range(len(tokens) - 1) if tokens[k] == "رابط" and tokens[k + 1] == "الخبر"), None)
    words = {bare(t) for t in tokens[start:stop]}
    if _FORECAST_TOPICS.isdisjoint(words):
        return None
    return frozenset(words & _FORECAST_PLACES) | {_FORECAST_WEATHER[w] for w in words & _FORECAST_WEATHER.keys()}
