"""Distractor articles: a large help center's worth of articles no benchmark question is about.

Issue 23 asks whether answer quality survives size: CLINC150's 150 intent articles with 10,000
unrelated articles beside them. No public text in ../shared/data is unrelated to CLINC150 (BANKING77
overlaps its banking intents, and a distractor that answers the question is not a distractor), so
they are generated: seeded help-center articles of products CLINC150 never mentions (a developer
platform, 3D printers, aquariums, telescopes, beehives, cameras, looms, kilns), each with a title,
a two-paragraph body and two example questions, written the way help centers write them. They share
CLINC150's everyday function words and question shapes ("how do I", "can I", "why is my"), so they
compete in BM25 and in the encoder rather than being trivially far away.

    articles = distractor_articles(10_000, seed=0)
"""

from __future__ import annotations

import random

from kb.errors import RequestError
from kb.loader import article_from_record
from kb.models import Article

PRODUCTS = {
    "developer platform": ("repository", "pipeline", "runner", "webhook", "deploy key", "build cache",
                           "merge queue", "package registry", "audit stream", "SCIM directory",
                           "status check", "release branch", "artifact bucket", "code owner file"),
    "3D printer": ("print bed", "hotend", "extruder", "filament spool", "nozzle", "slicer profile",
                   "build plate", "stepper driver", "bed mesh", "enclosure fan", "resin vat"),
    "aquarium": ("canister filter", "protein skimmer", "heater", "substrate", "CO2 diffuser",
                 "reef light", "dosing pump", "sump", "return pump", "RO unit"),
    "telescope": ("equatorial mount", "eyepiece", "finder scope", "focuser", "dew heater",
                  "polar scope", "guide camera", "collimation screw", "tripod head"),
    "beehive": ("brood box", "queen excluder", "honey super", "smoker", "frame feeder",
                "varroa board", "entrance reducer", "extractor"),
    "camera": ("lens mount", "shutter unit", "memory card slot", "battery grip", "hot shoe",
               "image sensor", "viewfinder", "gimbal", "ND filter", "tethering cable"),
    "weaving loom": ("heddle", "warp beam", "shuttle", "reed", "treadle", "ratchet", "cloth beam"),
    "pottery kiln": ("kiln shelf", "thermocouple", "element", "kiln controller", "vent", "cone pack",
                     "glaze batch", "peephole plug"),
}
ACTIONS = (("calibrate", "calibrating"), ("replace", "replacing"), ("clean", "cleaning"),
           ("configure", "configuring"), ("level", "levelling"), ("mount", "mounting"),
           ("reset", "resetting"), ("align", "aligning"), ("inspect", "inspecting"),
           ("lubricate", "lubricating"), ("upgrade", "upgrading"), ("archive", "archiving"),
           ("migrate", "migrating"), ("tune", "tuning"), ("rebuild", "rebuilding"),
           ("seal", "sealing"), ("label", "labelling"), ("winterize", "winterizing"))
CONTEXTS = ("after the first week", "before a long session", "in a humid room", "on the 2024 model",
            "when the indicator blinks amber", "for a shared team", "with the spare kit",
            "during firmware 5.2", "at high altitude", "in cold weather", "for the Pro edition",
            "without special tools", "on the classic model", "after moving house", "for beginners")
SYMPTOMS = ("makes a clicking noise", "shows error E{n}", "drifts out of position", "runs warm",
            "leaves streaks", "reports a checksum mismatch", "loses its settings", "vibrates",
            "stops halfway", "shows a red ring")
QUESTIONS = ("how do I {verb} the {part} of my {product} {context}",
             "what is the right way of {gerund} a {product} {part}",
             "can I {verb} the {part} myself {context}",
             "why is my {product} {part} hard to {verb}",
             "steps for {gerund} the {part} {context}",
             "my {product} {part} {symptom}, should I {verb} it")


def _article(i: int, topic: tuple[str, str, tuple[str, str], str], rng: random.Random) -> Article:
    product, part, (verb, gerund), context = topic
    symptom = rng.choice(SYMPTOMS).format(n=rng.randrange(10, 99))
    fill = {"verb": verb, "gerund": gerund, "part": part, "product": product, "context": context,
            "symptom": symptom}
    title = f"{gerund.capitalize()} the {part} of your {product} {context}"
    body = (f"If your {product}'s {part} {symptom}, {verb} it before anything else. Stop using the "
            f"{product}, open the service panel and {verb} the {part} as the manual's section "
            f"{rng.randrange(2, 19)}.{rng.randrange(1, 9)} shows; it takes about "
            f"{rng.randrange(5, 55)} minutes.\n\n"
            f"{gerund.capitalize()} the {part} {context} needs the {rng.choice(PRODUCTS[product])} "
            f"in place. Keep the old {part} until the {product} has run for a day, and write the "
            f"date on the maintenance card.")
    questions = [q.format(**fill) for q in rng.sample(QUESTIONS, 2)]
    rec = {"id": f"distractor-{i:05d}", "lang": "en", "title": title, "body": body,
           "questions": questions, "tags": ["distractor", product]}
    return article_from_record(rec, f"distractors:{i}", "en")


def distractor_articles(n: int, seed: int = 0) -> list[Article]:
    """`n` seeded distractor articles (English), ids `distractor-00000`…"""
    if n < 0:
        raise RequestError(f"distractors must be 0 or more, got {n!r}")
    rng = random.Random(seed)
    # Every (product, part, action, context) once before any twice: titles stay distinct.
    topics = [(product, part, action, context) for product in sorted(PRODUCTS)
              for part in PRODUCTS[product] for action in ACTIONS for context in CONTEXTS]
    rng.shuffle(topics)
    return [_article(i, topics[i % len(topics)], rng) for i in range(n)]
