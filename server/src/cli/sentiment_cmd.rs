//! `amends sentiment`: score text with VADER from stdin, one reply per line. Needs no database.

use app::domain::SentimentLabel;
use app::sentiment::{polarity, Scores};
use clap::Args;
use std::io::{self, BufRead, BufReader, BufWriter, Write};

/// The long `--help` text. Set on the `Sentiment` variant in `cli/mod.rs`: the variant's doc
/// comment would override a `long_about` given here.
pub const LONG_ABOUT: &str = "Score text with VADER sentiment (an exact port of \
    vaderSentiment 3.3.2, the scorer Amends uses for customer replies). Reads stdin one reply \
    per line and prints, for every input line, \"compound<TAB>label\": the compound score from \
    -1 (most negative) to +1 (most positive) with 4 decimals, and positive (>= 0.05), negative \
    (<= -0.05) or neutral. An empty line prints 0.0000<TAB>neutral. Input must be UTF-8; the \
    output has exactly one line per input line, in order, so it can be pasted next to the \
    input.\n\nStreams, so large inputs are fine. Never opens a database.";

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  printf 'Thanks, that was fast!\\nNever again.\\n' | amends sentiment\n  \
    amends sentiment --json < replies.txt > scores.jsonl"
)]
pub struct SentimentArgs {
    /// Print one JSON object per line instead:
    /// {"compound":…,"neg":…,"neu":…,"pos":…,"label":"…"}.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: SentimentArgs) -> anyhow::Result<()> {
    let stdin = io::stdin();
    let stdout = io::stdout();
    match score_lines(
        BufReader::with_capacity(64 * 1024, stdin.lock()),
        BufWriter::new(stdout.lock()),
        args.json,
    ) {
        // The reader went away (`amends sentiment | head`): not an error.
        Err(Failure::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(Failure::Io(e)) => {
            Err(anyhow::Error::new(e).context("cannot read stdin or write stdout"))
        }
        Err(Failure::NotUtf8 { line }) => {
            anyhow::bail!("stdin line {line} is not valid UTF-8 (the lines before it were scored)")
        }
        Ok(()) => Ok(()),
    }
}

enum Failure {
    Io(io::Error),
    NotUtf8 { line: u64 },
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}

/// Scores every line of `input` (a trailing `\r` is dropped) onto `output`. Output is flushed
/// whenever the input has nothing more buffered, so an interactive session sees each score
/// at once while a pipe is written in large blocks.
fn score_lines<R: BufRead, W: Write>(
    mut input: R,
    mut output: W,
    json: bool,
) -> Result<(), Failure> {
    let mut buf = Vec::with_capacity(1024);
    let mut line_no = 0u64;
    loop {
        buf.clear();
        if input.fill_buf()?.is_empty() {
            break;
        }
        input.read_until(b'\n', &mut buf)?;
        line_no += 1;
        if buf.last() == Some(&b'\n') {
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
        }
        let text = std::str::from_utf8(&buf).map_err(|_| Failure::NotUtf8 { line: line_no })?;
        write_scores(&mut output, &polarity(text), json)?;
        if input.fill_buf()?.is_empty() {
            output.flush()?;
        }
    }
    output.flush()?;
    Ok(())
}

fn write_scores<W: Write>(out: &mut W, s: &Scores, json: bool) -> io::Result<()> {
    // `+ 0.0` turns a -0.0 into 0.0, so a neutral line never prints "-0.0000".
    let compound = s.compound + 0.0;
    let label = SentimentLabel::of(compound).code();
    if json {
        // Written by hand to keep the documented key order.
        let num = |x: f64| serde_json::Value::from(x);
        writeln!(
            out,
            r#"{{"compound":{},"neg":{},"neu":{},"pos":{},"label":"{label}"}}"#,
            num(compound),
            num(s.neg),
            num(s.neu),
            num(s.pos),
        )
    } else {
        writeln!(out, "{compound:.4}\t{label}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_on(input: &[u8], json: bool) -> (Vec<u8>, Result<(), Failure>) {
        let mut out = Vec::new();
        let result = score_lines(input, &mut out, json);
        (out, result)
    }

    #[test]
    fn one_output_line_per_input_line() {
        let (out, result) = run_on(b"Thanks, that was fast!\n\nNever again.\r\nawful", false);
        assert!(result.is_ok());
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0.4926\tpositive\n0.0000\tneutral\n0.0000\tneutral\n-0.4588\tnegative\n"
        );
    }

    #[test]
    fn json_lines_carry_all_scores() {
        let (out, _) = run_on("No worries, these things happen.\n".as_bytes(), true);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["compound"], 0.3252);
        assert_eq!(v["neu"], 0.632);
        assert_eq!(v["label"], "positive");
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let (out, result) = run_on(b"fine\nbad \xff byte\nok\n", false);
        assert!(matches!(result, Err(Failure::NotUtf8 { line: 2 })));
        assert_eq!(String::from_utf8(out).unwrap(), "0.2023\tpositive\n");
    }
}
