#!/usr/bin/env python3
"""Score the sentiment corpus with the reference VADER implementation.

The Rust port in ``app/src/sentiment/`` must agree with vaderSentiment 3.3.2;
``server/tests/sentiment.rs`` checks it against the file this script writes.

Reads ``corpus.txt`` (one customer reply per line, UTF-8, next to this script),
scores every line with ``SentimentIntensityAnalyzer().polarity_scores(text)``
and writes ``reference.tsv`` next to it, keeping the order of corpus.txt:

    compound<TAB>neg<TAB>neu<TAB>pos<TAB>text
    0.8977<TAB>0.000<TAB>0.201<TAB>0.799<TAB>Thanks for the proactive credit, ...

compound has 4 decimals and neg/neu/pos 3, as Python rounds them. The script
refuses to run with any other version of vaderSentiment than 3.3.2.

Rerun from the repository root after editing corpus.txt:

    pip install vaderSentiment==3.3.2
    python3 server/sentiment/score_corpus.py
"""

import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REQUIRED = "3.3.2"
HERE = Path(__file__).resolve().parent
INPUT = HERE / "corpus.txt"
OUTPUT = HERE / "reference.tsv"


def main() -> int:
    try:
        installed = version("vaderSentiment")
    except PackageNotFoundError:
        sys.exit(f"vaderSentiment is not installed: pip install vaderSentiment=={REQUIRED}")
    if installed != REQUIRED:
        sys.exit(f"vaderSentiment {installed} is installed, the reference is {REQUIRED}: "
                 f"pip install vaderSentiment=={REQUIRED}")

    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    lines = INPUT.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline
    for n, text in enumerate(lines, 1):
        if not text.strip() or "\t" in text or "\r" in text or text != text.strip():
            sys.exit(f"corpus.txt line {n}: empty, a tab, a CR or leading/trailing space")
    seen = set()
    for n, text in enumerate(lines, 1):
        if text in seen:
            sys.exit(f"corpus.txt line {n}: duplicate of an earlier line: {text}")
        seen.add(text)

    analyzer = SentimentIntensityAnalyzer()
    with OUTPUT.open("w", encoding="utf-8", newline="\n") as out:
        out.write("compound\tneg\tneu\tpos\ttext\n")
        for text in lines:
            s = analyzer.polarity_scores(text)
            out.write(f"{s['compound']:.4f}\t{s['neg']:.3f}\t{s['neu']:.3f}\t{s['pos']:.3f}\t{text}\n")

    print(f"wrote {len(lines)} scored replies to {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
