//! The compact text in which `case_facts` keeps each case's actions and replies (its `line`
//! column, see migration 0006 and `super::facts`), read back into facts. The statements that
//! fetch it are in `super::analytics`.

use crate::analytics::facts::{ActionFact, Case, Facts, ReplyFact};
use app::domain::ActionKind;
use app::error::StoreError;

/// A list the database wrote that does not read back: the facts table holds something its
/// own statement cannot have made.
pub(super) fn garbled(what: &str, text: &str) -> StoreError {
    let start: String = text.chars().take(80).collect();
    tracing::error!(what, text = %start, "unreadable case facts");
    StoreError::Internal
}

pub(super) fn int(what: &str, s: &str) -> Result<i64, StoreError> {
    s.parse().map_err(|_| garbled(what, s))
}

pub(super) fn opt_int(what: &str, s: &str) -> Result<Option<i64>, StoreError> {
    if s.is_empty() {
        Ok(None)
    } else {
        int(what, s).map(Some)
    }
}

/// `code` as a shared string: the same one as an earlier action's when they agree (a read
/// holds a handful of currencies, not one string per action).
fn currency_of(earlier: &[ActionFact], code: &str) -> std::sync::Arc<str> {
    match earlier.iter().rev().find(|a| &*a.currency == code) {
        Some(a) => a.currency.clone(),
        None => code.into(),
    }
}

/// Cases of one incident, one per line: `customer signed_up churned kinds first_action
/// actions replies`, where `actions` is `kind,cost,currency,given_at;…` and `replies` is
/// `received_at,score,csat;…` (see migration 0006).
pub(super) fn push_cases(
    facts: &mut Facts,
    incident_id: i64,
    started_at: i64,
    detected_at: i64,
    text: &str,
) -> Result<(), StoreError> {
    for line in text.split('\n') {
        let mut f = line.split(' ');
        let mut next = || f.next().ok_or_else(|| garbled("case", line));
        let customer_id = int("customer", next()?)?;
        let signed_up_at = int("signed up", next()?)?;
        let churned_at = opt_int("churned", next()?)?;
        let kinds = int("kinds", next()?)?;
        let first_action_at = opt_int("first action", next()?)?;
        let (actions, replies) = (next()?, next()?);
        let case = facts.cases.len();
        facts.cases.push(Case {
            incident_id,
            customer_id,
            started_at,
            detected_at,
            signed_up_at,
            churned_at,
            kinds: u8::try_from(kinds).map_err(|_| garbled("kinds", line))?,
            first_action_at,
        });
        for a in actions.split(';').filter(|a| !a.is_empty()) {
            let mut p = a.split(',');
            let mut next = || p.next().ok_or_else(|| garbled("action", a));
            let kind = ActionKind::parse(next()?).map_err(|_| garbled("action kind", a))?;
            let cost_minor = int("cost", next()?)?;
            let currency = currency_of(&facts.actions, next()?);
            let given_at = int("given at", next()?)?;
            facts.actions.push(ActionFact {
                case,
                kind,
                cost_minor,
                currency,
                given_at,
            });
        }
        for r in replies.split(';').filter(|r| !r.is_empty()) {
            let mut p = r.split(',');
            let mut next = || p.next().ok_or_else(|| garbled("reply", r));
            let received_at = int("received at", next()?)?;
            let score: f64 = next()?.parse().map_err(|_| garbled("score", r))?;
            let csat = opt_int("csat", next()?)?;
            facts.replies.push(ReplyFact {
                case,
                received_at,
                score,
                csat,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_read_back_from_their_text_with_every_field() {
        let mut facts = Facts::default();
        let text = "7 100 500 9 120 credit,250,EUR,120;apology,0,EUR,130 140,-0.30000000000000004,4;150,0.5,\n\
                    8 101  0   ";
        push_cases(&mut facts, 3, 90, 95, text).unwrap();
        assert_eq!(facts.cases.len(), 2);
        let (a, b) = (&facts.cases[0], &facts.cases[1]);
        assert_eq!(
            (a.incident_id, a.customer_id, a.started_at, a.detected_at),
            (3, 7, 90, 95)
        );
        assert_eq!(
            (a.signed_up_at, a.churned_at, a.kinds, a.first_action_at),
            (100, Some(500), 9, Some(120))
        );
        assert_eq!(
            (b.customer_id, b.churned_at, b.kinds, b.first_action_at),
            (8, None, 0, None)
        );
        assert_eq!(facts.actions.len(), 2);
        assert_eq!(facts.actions[0].kind, ActionKind::Credit);
        assert_eq!(
            (facts.actions[0].cost_minor, &*facts.actions[0].currency),
            (250, "EUR")
        );
        assert_eq!((facts.actions[1].case, facts.actions[1].given_at), (0, 130));
        assert_eq!(facts.replies.len(), 2);
        // The exact double comes back, not a rounding of it.
        assert_eq!(facts.replies[0].score, -(0.1 + 0.2));
        assert_eq!(facts.replies[0].csat, Some(4));
        assert_eq!(
            (facts.replies[1].received_at, facts.replies[1].csat),
            (150, None)
        );
    }

    #[test]
    fn a_garbled_line_is_an_error_not_a_guess() {
        for bad in [
            "7 100",
            "x 100  0  ",
            "7 100  0  credit,1 ",
            "7 100  0   1,zero,",
        ] {
            let mut facts = Facts::default();
            assert_eq!(
                push_cases(&mut facts, 1, 0, 0, bad),
                Err(StoreError::Internal),
                "{bad:?}"
            );
        }
    }
}
