# ruff: noqa: E501 (prose paragraphs stay one line each)
"""Texts written for the duplicate-detection tests: a wire story, its copies, and unrelated stories."""

WIRE = """The Quillon Canal authority will limit barge traffic to 30 crossings a day from Monday, after weeks without rain left the summit reservoirs at their lowest level since records began in 1961.

The daily limit, down from an average of 47 crossings, will stay in place until the reservoirs refill to at least 60 per cent of capacity, the authority said in a statement on Tuesday.

Shipping companies warned that the cut would add two to three days to journeys between the coast and the inland ports of Aldmoor and Tessen, where most of the region's grain and timber is loaded.

"We understand the frustration, but without water in the summit pound no boat moves at all," said Hedda Morrow, the authority's director of operations. "Rationing crossings now is how we keep the canal open through August."

The authority said 340 barges had booked passages for next week and that operators would be told by Friday which crossings they keep. Priority will go to vessels carrying food and fuel.

Farmers along the canal have also been asked to stop drawing irrigation water from the feeder streams, a request the regional farmers' union called unfair but said its members would respect for now.

Forecasters expect little rain before the end of the month, and the authority said a second, tighter limit could follow if reservoir levels keep falling at their current rate of about one per cent a week."""

OTHER = """The Tollany city council approved a budget of 912 million euros on Wednesday, cutting road repairs by a fifth to pay for more bus routes and longer library opening hours.

Councillors voted 31 to 17 in favour after a four-hour debate in which the opposition accused the mayor of neglecting the outer districts, where many roads have not been resurfaced in a decade.

"Buses carry more people than potholes do," said deputy mayor Ines Kalder, who drew up the plan. "We chose to spend where most residents will feel it."

The budget adds 14 bus routes from September and keeps the central library open until ten at night on weekdays. Road repairs fall from 40 million to 32 million euros, and two bridge renovations move to next year.

Business groups welcomed the transport spending but said the delay to the bridge works would hurt deliveries in the industrial zone north of the river.

The opposition said it would ask the regional audit office to review the road-repair figures before the next council session in October."""

FOOTER = (
    "Sign up for the Harbour Courier morning briefing to get the day's top stories in your inbox. "
    "Follow us on social media for live updates, and send tips to our newsroom at any time of day or night."
)


def light_edit(text: str) -> str:
    """Another outlet's copy: a word changed, a figure changed, boilerplate appended."""
    return text.replace("340 barges", "350 barges").replace("warned", "cautioned") + "\n\n" + FOOTER


def heavy_edit(text: str) -> str:
    """A reworked copy: a new first line, every twentieth word replaced, a paragraph inserted,
    the last paragraph dropped, and the site's footer."""
    paragraphs = text.split("\n\n")[:-1]
    paragraphs.insert(len(paragraphs) // 2, "Updated with reaction from shipping companies on Wednesday.")
    words = "\n\n".join(paragraphs).split(" ")
    for n in range(7, len(words), 20):
        words[n] = "reportedly"
    return "LIVE UPDATES " + " ".join(words) + "\n\n" + FOOTER


def truncated(text: str) -> str:
    paragraphs = text.split("\n\n")
    return "\n\n".join(paragraphs[: len(paragraphs) // 2])


def with_typos(text: str) -> str:
    """OCR-like damage: letters swapped in every twelfth word."""
    damaged = []
    for n, word in enumerate(text.split(" ")):
        if n % 12 == 5 and len(word) > 3:
            word = word[0] + word[2] + word[1] + word[3:]
        damaged.append(word)
    return " ".join(damaged)


# The wire story retold sentence by sentence in other words, as a second outlet's rewrite would be.
REWRITE = """From Monday no more than 30 barges a day will be allowed through the Quillon Canal, its authority announced, because weeks of dry weather have drained the summit reservoirs to their lowest point since 1961, when records started.

The cap replaces an average of 47 daily crossings and will be lifted only once the reservoirs are back above 60 per cent of capacity, according to a statement the authority issued on Tuesday.

Shipping firms said the restriction would stretch trips between the coast and the inland ports of Aldmoor and Tessen, which handle most of the region's grain and timber, by two or three days.

Hedda Morrow, who directs operations at the authority, said she understood the anger of operators. "If the summit pound is empty, nothing moves. Limiting crossings today keeps the canal working through August," she said.

Some 340 barges are booked for next week; their operators will learn by Friday which of the crossings they keep, with food and fuel cargoes served first.

Farmers beside the canal were also told to stop taking irrigation water from the streams that feed it. The regional farmers' union described the request as unfair but said members would comply for the time being.

With little rain forecast before the month ends, the authority warned that a stricter limit may come if the reservoirs go on falling by about one per cent each week."""

# Another article about the same event: the farmers' side, with little wording in common.
SAME_EVENT = """Farmers in the Quillon valley say the canal authority's drought measures leave their crops without water just as the harvest approaches.

The authority, which will allow only 30 barge crossings a day from Monday to save water in its summit reservoirs, has asked growers to stop pumping from the canal's feeder streams.

"They ration the barges and they ration us, but nobody rations the rain," said Oskar Petrell, who grows maize and sugar beet near Aldmoor. He estimates that without irrigation he will lose a third of his crop.

The regional farmers' union said it would respect the request for now but wants compensation if the drought continues. Its chairwoman, Britta Lund, said she would meet the canal authority on Thursday.

Reservoir levels are the lowest since 1961, and forecasters see little chance of rain before the end of the month."""

# The union's later protest: related to SAME_EVENT (farmers, irrigation), not to the barge limit itself.
AFTERMATH = """Hundreds of farmers drove tractors into Aldmoor on Saturday to demand compensation for crops lost to the drought, blocking the market square for most of the morning.

The regional farmers' union, led by its chairwoman Britta Lund, says growers who stopped irrigating at the authorities' request have lost up to a third of their maize and sugar beet.

"We kept our word and our fields paid for it," Lund told the crowd. The union wants a fund of 20 million euros for affected farms and says it will return every Saturday until the regional government answers.

Police said the protest was peaceful. A spokesman for the regional agriculture ministry said a relief package was being prepared but gave no figure."""

# Unrelated stories that give the corpus its word statistics.
BACKGROUND = [
    """The Halvern orchestra will tour six cities in the spring, its first tour since the concert hall closed for repairs two years ago. The programme pairs a new cello concerto with symphonies the orchestra has not played in decades, and tickets go on sale next week.""",
    """A rare white stork has nested on the chimney of the old brewery in Kessel for the third year running. Volunteers have installed a camera so that schools can follow the chicks, and the town has closed the lane below the nest until the birds leave in August.""",
    """The national football league fined two clubs for crowd trouble after Sunday's derby, in which flares were thrown onto the pitch and the match was stopped for twenty minutes. Both clubs must play their next home game without away supporters.""",
    """Researchers at the Ostvik institute have mapped a shipwreck found at a depth of 80 metres off the northern cape. The wooden merchant ship, thought to date from the seventeenth century, still carries part of its cargo of copper plates, the team said.""",
    """The city of Marrow will replace its fleet of diesel buses with electric ones by 2030, the transport authority announced, at a cost of 240 million euros. The first forty buses arrive next year, along with charging stations at the two main depots.""",
]
