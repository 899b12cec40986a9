"""Claim texts as people write them in a debate about AI art and copyright: a subject, what
it does, to what, and often a qualifier, drawn from word lists with common phrases first.
Many claims share words, as in a real topic, so trigram matching has to discriminate."""

import itertools
import random

from apps.claims.models import claim_key

SUBJECTS = """
AI training | training an image model | diffusion models | image generators | large language
models | model weights | scraping public websites | the LAION dataset | artists | illustrators |
photographers | stock photo agencies | copyright law | fair use | the Copyright Office | the
courts | opt-out registries | style imitation | prompt engineering | AI-generated images |
human authors | open source models | commercial AI companies | licensing deals | collective
licensing | watermarking | Glaze and Nightshade | synthetic data | derivative works | the EU AI
Act | text and data mining exceptions | galleries | art schools | game studios | publishers |
small creators | independent musicians | museums | search engines | news publishers | fan
artists | concept artists | voice actors | translators | animation studios | font designers
""".replace("\n", " ")
VERBS = """
is | is not | should be | cannot be | will replace | depends on | harms | protects |
undermines | benefits | competes with | copies | memorizes | transforms | requires consent
from | needs a license from | pays nothing to | devalues | is no different from | should
compensate | must disclose | threatens | supports | relies on | learns from | imitates |
exploits | helps | ignores | misrepresents | outcompetes | is legally distinct from | erodes |
strengthens | dilutes | reproduces | launders | steals from | democratizes | floods
""".replace("\n", " ")
OBJECTS = """
fair use | the market for original art | working illustrators | human creativity |
copyrighted images | the training data | public domain works | an artist's style | consent |
fair compensation | existing copyright law | the original photographs | the rights of
artists | commercial stock photography | the value of craft | online portfolios | creative
labour | the idea-expression distinction | transformative use | the four factors test |
moral rights | attribution | the scarcity of skill | entry-level jobs | art education |
the public interest | open culture | the commons | small studios | freelance income |
authorship | originality | the Berne Convention | personal data | trade secrets | the
licensing market | search indexing | parody | pastiche | sampling in music | collage |
photography in the nineteenth century | the printing press | cultural heritage | the
creative economy | trust in images | provenance | the artist's signature
""".replace("\n", " ")
QUALIFIERS = """
in most cases | under current US law | when outputs are sold commercially | if the dataset
was scraped without consent | as long as outputs are not copies | in the European Union |
for non-commercial research | at scale | over the next decade | unless artists can opt out |
for now | in the long run | when prompted with an artist's name | once courts rule on it |
by design | in practice | in principle | for hobbyists | for professionals | without
attribution | with proper licensing | regardless of intent
""".replace("\n", " ")
USES = """
concept art | book covers | album artwork | children's books | video game textures | stock
illustrations | comic books | tabletop games | advertising | film storyboards | fashion
design | architecture renders | medical illustration | scientific figures | news photography
| wedding photography | tattoo designs | logo design | web banners | greeting cards | anime
fan art | pixel art | oil painting reproductions | product photography | music videos |
YouTube thumbnails | poster design | magazine editorials | educational material
""".replace("\n", " ")


def _phrases(listing: str) -> list[str]:
    return [" ".join(phrase.split()) for phrase in listing.split("|")]


def _weights(items: list) -> list[float]:
    """Cumulative Zipf-like weights: the first phrases are the common ones."""
    return list(itertools.accumulate(1 / (rank + 3) for rank in range(len(items))))


PARTS = [_phrases(listing) for listing in (SUBJECTS, VERBS, OBJECTS, QUALIFIERS, USES)]
WEIGHTS = [_weights(part) for part in PARTS]


def claim_texts(count: int, rng: random.Random) -> list[str]:
    """`count` claims with distinct keys (Claim.key), the same for the same seed."""
    texts, keys = [], set()
    while len(texts) < count:
        text = _claim(rng)
        key = claim_key(text)
        if key not in keys:
            keys.add(key)
            texts.append(text)
    return texts


def _claim(rng: random.Random) -> str:
    subject, verb, thing, qualifier, use = (
        rng.choices(part, cum_weights=weights)[0]
        for part, weights in zip(PARTS, WEIGHTS, strict=True)
    )
    words = [subject, verb, thing]
    if rng.random() < 0.6:
        words.append(f"for {use}")
    if rng.random() < 0.5:
        words.append(qualifier)
    text = " ".join(words)
    return text[0].upper() + text[1:]
