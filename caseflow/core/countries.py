"""Countries: ISO 3166 alpha-2 codes, names in the UI language (from Babel's CLDR data)."""

from functools import cache

from babel import Locale

# EU member states, the other EEA states and Switzerland: free movement applies.
# fmt: off
EU_EEA_CH = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
    "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    "IS", "LI", "NO", "CH",
})
# fmt: on

# CLDR territories that are not countries a person holds a nationality of.
_NOT_COUNTRIES = frozenset(["EU", "EZ", "UN", "ZZ", "QO", "XA", "XB", "XK"])


@cache
def country_names(locale: str) -> dict[str, str]:
    """Alpha-2 code -> country name in ``locale``, sorted by name."""
    territories = Locale.parse(locale).territories
    names = {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }
    # Kosovo is a user-assigned code in ISO but a real nationality in practice.
    if "XK" in territories:
        names["XK"] = territories["XK"]
    return dict(sorted(names.items(), key=lambda item: item[1].casefold()))


def country_name(code: str | None, locale: str) -> str:
    """The name of ``code`` in ``locale``, or the code itself when unknown."""
    if not code:
        return ""
    return country_names(locale).get(code, code)


def is_eu_eea_ch(code: str | None) -> bool:
    return code in EU_EEA_CH
