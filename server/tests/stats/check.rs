//! What the reference comparisons share: reading the reference JSON, and [`Check`], which
//! tracks the largest deviation of one quantity and fails beyond its tolerance.

use serde_json::Value;

pub fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

pub fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("an array").iter().map(f).collect()
}

pub fn bools(v: &Value) -> Vec<bool> {
    let arr = v.as_array().expect("an array");
    arr.iter().map(|b| b.as_bool().expect("a bool")).collect()
}

/// Tracks the largest deviation of one quantity and fails beyond `tol`; prints the largest
/// when dropped (see it with `-- --nocapture`).
pub struct Check {
    name: &'static str,
    tol: f64,
    relative: bool,
    max: f64,
}

impl Check {
    pub fn absolute(name: &'static str, tol: f64) -> Self {
        Self::with(name, tol, false)
    }

    pub fn relative(name: &'static str, tol: f64) -> Self {
        Self::with(name, tol, true)
    }

    fn with(name: &'static str, tol: f64, relative: bool) -> Self {
        Self {
            name,
            tol,
            relative,
            max: 0.0,
        }
    }

    pub fn close(&mut self, got: f64, want: f64, what: &str) {
        let mut dev = (got - want).abs();
        if self.relative && want != 0.0 {
            dev /= want.abs();
        }
        assert!(
            dev <= self.tol,
            "{} {what}: got {got:e}, want {want:e} (|Δ| {dev:e})",
            self.name
        );
        self.max = self.max.max(dev);
    }
}

impl Drop for Check {
    fn drop(&mut self) {
        let kind = if self.relative {
            "relative"
        } else {
            "absolute"
        };
        eprintln!("max {kind} deviation {:>22}: {:e}", self.name, self.max);
    }
}
