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
