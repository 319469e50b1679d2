"""The Dutch words the report uses for the taxonomy's labels (plain language, B1)."""

TOPIC_NAMES = {
    "huur": "huur",
    "energie": "energie",
    "schulden": "schulden",
    "lenen": "lenen",
    "inkomen": "inkomen",
    "vakantie": "vakantie",
    "feestdagen": "feestdagen",
    "auto": "auto",
    "studie": "studie",
    "wonen": "wonen",
    "winkelen": "winkelen",
}
SEVERITY_NAMES = {
    1: "zorgen (krap, rondkomen)",
    2: "achterstand of schulden",
    3: "acuut (deurwaarder, ontruiming, afsluiting, beslag)",
}
SEVERITY_SHORT = {1: "zorgen", 2: "achterstand of schulden", 3: "acuut"}
