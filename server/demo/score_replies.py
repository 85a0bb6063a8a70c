#!/usr/bin/env python3
"""Score the demo customer replies with the reference VADER implementation.

Reads ``replies.txt`` (one customer reply per line, UTF-8, next to this
script), scores every line with ``vaderSentiment`` 3.3.2
(``SentimentIntensityAnalyzer().polarity_scores(text)["compound"]``) and
writes ``replies.tsv`` next to it:

    compound<TAB>text
    0.8977<TAB>Thanks for the proactive credit, really appreciated.
    ...

The compound score is formatted with 4 decimals; the order of replies.txt is
kept. The score also serves as the tone label for the demo-data generator
(the usual VADER thresholds: positive >= 0.05, negative <= -0.05, neutral
otherwise). A summary of those counts is printed to stdout.

Rerun from the repository root with:

    pip install vaderSentiment==3.3.2 && python3 server/demo/score_replies.py
"""

import sys
from pathlib import Path

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

HERE = Path(__file__).resolve().parent
INPUT = HERE / "replies.txt"
OUTPUT = HERE / "replies.tsv"


def main() -> int:
    lines = INPUT.read_text(encoding="utf-8").splitlines()
    replies = [line for line in lines if line.strip()]

    # Basic hygiene checks so the generator can rely on the file format.
    for n, text in enumerate(replies, 1):
        if "\t" in text or text != text.strip():
            sys.exit(f"replies.txt line {n}: tab or leading/trailing space")
    if len(set(replies)) != len(replies):
        sys.exit("replies.txt contains duplicate lines")

    analyzer = SentimentIntensityAnalyzer()
    counts = {"positive": 0, "neutral": 0, "negative": 0}
    with OUTPUT.open("w", encoding="utf-8", newline="\n") as out:
        out.write("compound\ttext\n")
        for text in replies:
            compound = analyzer.polarity_scores(text)["compound"]
            out.write(f"{compound:.4f}\t{text}\n")
            if compound >= 0.05:
                counts["positive"] += 1
            elif compound <= -0.05:
                counts["negative"] += 1
            else:
                counts["neutral"] += 1

    print(f"wrote {len(replies)} replies to {OUTPUT}")
    for label, count in counts.items():
        print(f"  {label}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
