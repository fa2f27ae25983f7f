"""The data's codes in words: one place for what a code in a CSV file is called on a page,
in a chart's legend or control, and in a table's header."""

BASIS_LABELS = {
    "russian_customs": "Russian customs", "iranian_customs": "Iranian customs",
    "eec": "Eurasian Economic Commission", "imf_dots": "IMF DOTS", "un_comtrade": "UN Comtrade",
    "official_statement": "Official's statement", "secondary": "Analyst or press figure",
    "partner_statistics": "Partner's statistics (mirror)",
}

MEASURE_LABELS = {
    "turnover": "Turnover (both directions)",
    "russian_exports": "Russian exports to Iran",
    "iranian_exports": "Iranian exports to Russia",
}

TREATY_LABELS = {
    "russia-iran-2025": "Russia–Iran 2025",
    "russia-dprk-2024": "Russia–DPRK 2024",
    "russia-iran-2001": "Russia–Iran 2001",
}

COMMITMENT_LABELS = {"binding": "Binding (shall / shall not)", "consult": "Consult or coordinate",
                     "intent": "Intent (strive, promote)", "not_read": "Not read: not coded"}

DOMAIN_LABELS = {
    "general": "General aims and principles", "security": "Security", "military_technical": "Military cooperation",
    "counter_terrorism": "Counter-terrorism", "energy": "Energy", "finance_trade": "Finance, trade, sanctions",
    "transport": "Transport", "information": "Information and media", "culture_science": "Culture and science",
    "legal": "Legal", "multilateral": "Multilateral bodies", "final_provisions": "Final provisions",
    "unknown": "Unknown (not read)",
}

# Chapter 5: the perspectives of the reactions data, in the order the chart lists them.
PERSPECTIVES = {"russia": "Russia", "iran": "Iran", "china": "China", "united_states": "United States",
                "israel": "Israel", "gulf": "Gulf states", "europe": "Europe", "ukraine": "Ukraine",
                "south_caucasus": "South Caucasus", "central_asia": "Central Asia", "turkey": "Turkey",
                "south_asia": "South Asia", "united_nations": "United Nations"}
# What a reaction did, as the chart's columns (field → words).
REACTION_ACTS = {"condemned_strikes": "Condemned", "named_attackers": "Named attacker",
                 "offered_mediation": "Mediation", "offered_material_help": "Material help"}
POSITION_WORDS = {"asserts": "reports it", "denies": "denies it", "declines_comment": "no comment",
                  "doubts": "doubts it"}
BASIS_WORDS = {"anonymous_officials": "anonymous officials", "named_official": "a named official",
               "official_statement": "an official statement", "leaked_documents": "leaked documents",
               "analysis": "an analyst's reading", "press_report": "an earlier press report"}

# Column-name parts spelled out in table headers and CSV downloads (display.header).
UNITS = {"usd": "US$", "pct": "(%)", "bn": "bn", "mw": "MW", "id": "id"}
