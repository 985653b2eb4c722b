"""Precision and recall of value extraction and conflict detection on a labelled set of news sentences.

Run: .venv/bin/python bench/claims_values.py
"""

import datetime
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from claims.values import Value, extract_values, sets_disagree

INF = math.inf
PUBLISHED = datetime.date(2026, 3, 12)


def d(year, month, day):
    return datetime.date(year, month, day).toordinal()


# (sentence, language, [(kind, low, high, unit), ...]); "number" stands for number and range alike.
LABELLED = [
    ("Officials said 11,000 troops had gathered near the border.", "en", [("number", 11000, 11000, "people")]),
    ("Some 11 000 soldiers were deployed.", "fr", [("number", 10450, 11550, "people")]),
    ("Rund 11.000 Soldaten sind im Einsatz.", "de", [("number", 11000, 11000, "")]),
    ("Between 10,000 and 12,000 residents fled.", "en", [("number", 10000, 12000, "people")]),
    ("An estimated 10,000-12,000 people were displaced.", "en", [("number", 9500, 12600, "people")]),
    ("Police put the crowd at 10,000 to 12,000.", "en", [("number", 10000, 12000, "")]),
    ("About 11,000 residents were moved.", "en", [("number", 10450, 11550, "people")]),
    ("More than 11,000 people were evacuated.", "en", [("number", 11000, INF, "people")]),
    ("At least 300 people died.", "en", [("number", 300, INF, "people")]),
    ("Up to 12,000 troops could be sent.", "en", [("number", 0, 12000, "people")]),
    ("Fewer than 200 protesters remained.", "en", [("number", 0, 200, "people")]),
    ("Nearly 12,000 Russian troops crossed.", "en", [("number", 10800, 12000, "people")]),
    ("Over 5,000 jobs will go.", "en", [("number", 5000, INF, "people")]),
    ("Eleven thousand residents lost power.", "en", [("number", 11000, 11000, "people")]),
    ("A dozen people were hurt.", "en", [("number", 12, 12, "people")]),
    ("Two million people live in the basin.", "en", [("number", 2e6, 2e6, "people")]),
    ("The city has 4.2 million inhabitants.", "en", [("number", 4.2e6, 4.2e6, "people")]),
    ("The repairs will cost €4.2m.", "en", [("money", 4.2e6, 4.2e6, "EUR")]),
    ("The fund holds 4.5 million euros.", "en", [("money", 4.5e6, 4.5e6, "EUR")]),
    ("The deal is worth $3bn.", "en", [("money", 3e9, 3e9, "USD")]),
    ("Fares rise to £250 a year.", "en", [("money", 250, 250, "GBP")]),
    ("Die Kosten liegen bei 4,5 Millionen Euro.", "de", [("money", 4.5e6, 4.5e6, "EUR")]),
    ("Unemployment fell to 12%.", "en", [("percent", 12, 12, "%")]),
    ("Turnout was 64.5 per cent.", "en", [("percent", 64.5, 64.5, "%")]),
    ("Prices rose by twelve percent.", "en", [("percent", 12, 12, "%")]),
    ("Support is between 40% and 45%.", "en", [("percent", 40, 45, "%")]),
    ("The convoy travelled 30 miles.", "en", [("number", 47.7975168, 48.7631232, "km")]),
    ("The wall is 300m long.", "en", [("number", 0.3, 0.3, "km")]),
    ("The border is 48 km away.", "en", [("number", 48, 48, "km")]),
    ("The dam opened on 12 March 2026.", "en", [("date", d(2026, 3, 12), d(2026, 3, 12), "")]),
    ("It opened on March 12, 2026.", "en", [("date", d(2026, 3, 12), d(2026, 3, 12), "")]),
    ("Work started in March 2026.", "en", [("date", d(2026, 3, 1), d(2026, 3, 31), "")]),
    ("Inspections follow in July or August 2023.", "en", [("date", d(2023, 7, 1), d(2023, 8, 31), "")]),
    ("Inspections follow in July or August of this year.", "en", [("date", d(2026, 7, 1), d(2026, 8, 31), "")]),
    ("The report was published last week.", "en", [("date", d(2026, 3, 2), d(2026, 3, 8), "")]),
    ("The minister resigned yesterday.", "en", [("date", d(2026, 3, 11), d(2026, 3, 11), "")]),
    ("The vote is due next month.", "en", [("date", d(2026, 4, 1), d(2026, 4, 30), "")]),
    ("Talks began last July.", "en", [("date", d(2025, 7, 1), d(2025, 7, 31), "")]),
    ("The plant closed in 2023.", "en", [("date", d(2023, 1, 1), d(2023, 12, 31), "")]),
    ("Results came three days ago.", "en", [("date", d(2026, 3, 9), d(2026, 3, 9), "")]),
    ("The data file is dated 2026-02-01.", "en", [("date", d(2026, 2, 1), d(2026, 2, 1), "")]),
    (
        "The authority said on Tuesday that 11,000 residents had been moved.",
        "en",
        [("date", d(2026, 3, 10), d(2026, 3, 10), ""), ("number", 11000, 11000, "people")],
    ),
    (
        "In March 2026, 4,000 workers went on strike.",
        "en",
        [("date", d(2026, 3, 1), d(2026, 3, 31), ""), ("number", 4000, 4000, "people")],
    ),
    ("He may march on the capital.", "en", []),
    ("One of the officials declined to comment.", "en", []),
    ("The bill passed by a wide margin.", "en", []),
    ("Around 1.5 million visitors came.", "en", [("number", 1425000, 1575000, "people")]),
    ("Upwards of 2,000 migrants arrived.", "en", [("number", 2000, INF, "people")]),
    ("As many as 900 patients waited.", "en", [("number", 0, 900, "people")]),
    ("Roughly 70,000 households lost water.", "en", [("number", 66500, 73500, "people")]),
    ("The budget is USD 2.5 billion.", "en", [("money", 2.5e9, 2.5e9, "USD")]),
    ("Some 1.234.567 Wähler stimmten ab.", "de", [("number", 1172838.65, 1296295.35, "")]),
    ("Inflation hit 3,2 %.", "fr", [("percent", 3.2, 3.2, "%")]),
    ("Two and a half million people watched.", "en", [("number", 2.5e6, 2.5e6, "people")]),
    ("The agency counted 1,250 refugees.", "en", [("number", 1250, 1250, "people")]),
    ("At most 40 passengers were on board.", "en", [("number", 0, 40, "people")]),
    ("Half a million people marched.", "en", [("number", 5e5, 5e5, "people")]),
    # Known hard cases, kept so that the figures stay honest.
    (
        "The toll rose to 1,200, up from 900 on Monday.",
        "en",
        [("number", 1200, 1200, ""), ("number", 900, 900, ""), ("date", d(2026, 3, 9), d(2026, 3, 9), "")],
    ),
    ("Dozens of people were injured.", "en", []),
    ("The mid-June deadline was missed.", "en", [("date", d(2026, 6, 11), d(2026, 6, 20), "")]),
    ("The 2,000-strong force left.", "en", [("number", 2000, 2000, "")]),
    ("Casualties reached 11k.", "en", [("number", 11000, 11000, "")]),
]

# (first highlight, second highlight, do they disagree?)
CONFLICTS = [
    ("11,000 troops", "12,000 troops", True),
    ("11,000 troops", "between 10,000 and 12,000 troops", False),
    ("about 11,000 troops", "11,400 soldiers", False),
    ("more than 11,000 people", "12,000 people", False),
    ("more than 11,000 people", "9,000 people", True),
    ("up to 12,000", "11,000", False),
    ("up to 12,000", "15,000", True),
    ("eleven thousand residents", "11,000 residents", False),
    ("12%", "15%", True),
    ("12%", "11,000", False),
    ("€4.2m", "4.2 million euros", False),
    ("€4.2m", "€5m", True),
    ("€4.2m", "$4.2m", False),
    ("in July or August 2023", "in July 2023", False),
    ("in July or August 2023", "in September 2023", True),
    ("30 miles", "48 km", False),
    ("30 miles", "80 km", True),
    ("nearly 12,000", "12,500", True),
    ("nearly 12,000", "11,500", False),
    ("11,000 residents, 300 of them children", "11,000 residents", False),
    ("11,000 residents, 300 of them children", "12,000 residents", True),
]


def same(found: Value, expected: tuple) -> bool:
    kind, low, high, unit = expected
    found_kind = "number" if found.kind == "range" else found.kind

    def close(a, b):
        return a == b or (math.isfinite(a) and math.isfinite(b) and abs(a - b) <= 1e-6 * max(1, abs(b)))

    return found_kind == kind and found.unit == unit and close(found.low, low) and close(found.high, high)


def main() -> None:
    true_positive = extracted = expected_total = 0
    misses = []
    for sentence, language, expected in LABELLED:
        found = extract_values(sentence, published=PUBLISHED, language=language)
        extracted += len(found)
        expected_total += len(expected)
        remaining = list(found)
        for item in expected:
            match = next((value for value in remaining if same(value, item)), None)
            if match is not None:
                true_positive += 1
                remaining.remove(match)
            else:
                misses.append((sentence, "missed", item))
        misses.extend((sentence, "spurious", (v.kind, v.low, v.high, v.unit)) for v in remaining)
    precision = true_positive / extracted if extracted else 1.0
    recall = true_positive / expected_total if expected_total else 1.0
    print(f"value extraction: {len(LABELLED)} sentences, {expected_total} labelled values, {extracted} extracted")
    print(f"  precision {precision:.3f}  recall {recall:.3f}")

    tp = fp = fn = tn = 0
    for first, second, disagree in CONFLICTS:
        predicted = sets_disagree(extract_values(first), extract_values(second))
        tp += predicted and disagree
        fp += predicted and not disagree
        fn += (not predicted) and disagree
        tn += (not predicted) and not disagree
        if predicted != disagree:
            misses.append((f"{first} | {second}", "conflict", disagree))
    print(f"conflict detection: {len(CONFLICTS)} labelled pairs")
    print(f"  precision {tp / (tp + fp) if tp + fp else 1:.3f}  recall {tp / (tp + fn) if tp + fn else 1:.3f}")
    print(f"  accuracy {(tp + tn) / len(CONFLICTS):.3f}")
    if misses:
        print("errors:")
        for sentence, what, item in misses:
            print(f"  {what}: {sentence!r} {item}")


if __name__ == "__main__":
    main()
