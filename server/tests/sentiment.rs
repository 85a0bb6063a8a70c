//! The Rust VADER port (`app::sentiment`) against the Python reference, vaderSentiment 3.3.2:
//! every reply of `server/sentiment/corpus.txt`, scored by `score_corpus.py` into
//! `reference.tsv`, must get the same four scores (within 0.001).

use std::path::PathBuf;

const TOLERANCE: f64 = 0.001;

fn sentiment_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sentiment")
}

/// (line number in the file, [compound, neg, neu, pos], text) for every data line.
fn reference() -> Vec<(usize, [f64; 4], String)> {
    let path = sentiment_dir().join("reference.tsv");
    let file = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = file.lines().enumerate();
    let (_, header) = lines.next().expect("a header line");
    assert_eq!(header, "compound\tneg\tneu\tpos\ttext");
    lines
        .map(|(i, line)| {
            let cols: Vec<&str> = line.splitn(5, '\t').collect();
            assert_eq!(cols.len(), 5, "reference.tsv line {}: {line:?}", i + 1);
            let num = |k: usize| -> f64 {
                cols[k].parse().unwrap_or_else(|_| {
                    panic!("reference.tsv line {}: bad number {:?}", i + 1, cols[k])
                })
            };
            (i + 1, [num(0), num(1), num(2), num(3)], cols[4].to_string())
        })
        .collect()
}

#[test]
fn every_corpus_line_scores_like_the_python_reference() {
    let rows = reference();
    let mut mismatches = Vec::new();
    for (line, expected, text) in &rows {
        let s = app::sentiment::polarity(text);
        let got = [s.compound, s.neg, s.neu, s.pos];
        let off = ["compound", "neg", "neu", "pos"]
            .iter()
            .zip(got.iter().zip(expected))
            .filter(|(_, (g, e))| (*g - *e).abs() > TOLERANCE)
            .map(|(name, (g, e))| format!("{name} rust {g} python {e}"))
            .collect::<Vec<_>>();
        if !off.is_empty() {
            mismatches.push(format!("  line {line}: {text:?}: {}", off.join(", ")));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} lines of reference.tsv differ from the Python reference by more than \
         {TOLERANCE}:\n{}",
        mismatches.len(),
        rows.len(),
        mismatches.join("\n")
    );
}

#[test]
fn the_corpus_is_large_and_fully_scored() {
    let corpus = std::fs::read_to_string(sentiment_dir().join("corpus.txt")).expect("corpus.txt");
    let texts: Vec<&str> = corpus.lines().collect();
    assert!(texts.len() >= 300, "only {} corpus lines", texts.len());
    let scored: Vec<String> = reference().into_iter().map(|(_, _, t)| t).collect();
    assert_eq!(
        scored, texts,
        "reference.tsv is stale: rerun server/sentiment/score_corpus.py"
    );
}
