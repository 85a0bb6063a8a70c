#!/usr/bin/env python3
"""Reference values for the Cox proportional-hazards model ``server/src/stats/cox.rs``.

``server/tests/stats_cox.rs`` reads the JSON this script writes
(``cox_reference.json``, next to it) and checks the Rust fit against lifelines'
``CoxPHFitter`` (Efron's method for ties, lifelines' default): per covariate the
coefficient, its standard error, z, p, the hazard ratio and its 95 % interval;
the log partial likelihood and the likelihood-ratio test against the model
without covariates.

The data sets, written out in full so that Rust needs no Python and no
generator:

* ``hand_ties``: 18 hand-made cases with ties of events, and of events with
  censorings, two indicators and a revenue;
* ``random_*``: cases followed up to a year and churning with a hazard
  proportional to exp(x·β) (numpy, fixed seeds), 50 to 2000 cases with 1 to 6
  covariates: indicators of actions (some rare, some correlated with revenue)
  and monthly revenue; durations are whole days, so most event times are tied;
* ``rossi``: the recidivism data bundled with lifelines (``load_rossi``), 432
  cases, 7 covariates, durations in whole weeks.

The reference values come from fits with tighter convergence settings than
lifelines' defaults (``fit_options=TIGHT``: Newton-Raphson runs until the
log-likelihood stops changing; a still longer fit moves no coefficient by more
than 1e-11 of its covariate's standard deviation). With its defaults
lifelines stops as soon as the Newton decrement falls below 1e-7, without
taking that last step, which
leaves coefficients up to ~1e-5 away from the maximum of the partial
likelihood (4.5e-6 standard deviations of a covariate here). The
coefficients and standard errors of the default fit are stored too
(``lifelines_default``), with how far the default fit stopped from the tight
one (``default_gap``: the largest coefficient difference times its
covariate's standard deviation).

The script refuses other versions than the ones below. Rerun from the
repository root:

    pip install lifelines==0.30.3 scipy==1.17.1 numpy==2.4.6 pandas==2.3.3
    python3 server/stats/cox_reference.py
"""

import json
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

REQUIRED = {
    "lifelines": "0.30.3",
    "scipy": "1.17.1",
    "numpy": "2.4.6",
    "pandas": "2.3.3",
}
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "cox_reference.json"
TIGHT = {"precision": 1e-20, "r_precision": 1e-16, "max_steps": 100}

for name, wanted in REQUIRED.items():
    if version(name) != wanted:
        sys.exit(f"{name} {version(name)} is installed; this script needs {wanted}")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from lifelines import CoxPHFitter  # noqa: E402
from lifelines.datasets import load_rossi  # noqa: E402

# (duration in days, churned, refund, upgraded, monthly revenue)
HAND_TIES = [
    (3, 1, 1, 0, 19.0),
    (3, 1, 0, 0, 49.0),
    (5, 1, 1, 0, 9.5),
    (5, 0, 0, 1, 99.0),
    (7, 1, 0, 0, 29.0),
    (7, 1, 1, 1, 49.0),
    (7, 1, 0, 0, 19.0),
    (10, 0, 0, 1, 199.0),
    (12, 1, 1, 0, 9.5),
    (12, 0, 0, 0, 29.0),
    (15, 1, 0, 1, 49.0),
    (20, 0, 1, 0, 99.0),
    (20, 1, 0, 0, 19.0),
    (20, 1, 1, 0, 29.0),
    (30, 0, 0, 1, 149.0),
    (30, 0, 0, 0, 49.0),
    (45, 1, 0, 1, 9.5),
    (60, 0, 1, 1, 99.0),
]


def hand_ties():
    rows = np.array(HAND_TIES, dtype=float)
    covariates = {"refund": rows[:, 2], "upgraded": rows[:, 3], "monthly_revenue": rows[:, 4]}
    return rows[:, 0], rows[:, 1].astype(bool), covariates


def simulated(seed, n, specs, base_days=200.0, follow_up=365.0):
    """Cases followed up uniformly up to `follow_up` days; churn hazard
    exp(x·β) / base_days; durations rounded to whole days.

    specs: (name, kind, parameter, beta); kind "action" is an indicator with
    probability `parameter` (raised by half for high-revenue cases when the
    data set has a revenue), "revenue" is log-normal with median `parameter`
    (rounded to cents), "score" is a standard normal rounded to 0.01.
    """
    rng = np.random.default_rng(seed)
    covariates = {}
    revenue = None
    for name, kind, parameter, _ in specs:
        if kind == "revenue":
            revenue = np.round(parameter * np.exp(rng.normal(0.0, 0.8, n)), 2)
            covariates[name] = revenue
    for name, kind, parameter, _ in specs:
        if kind == "action":
            p = np.full(n, parameter)
            if revenue is not None:
                p = np.where(revenue > np.median(revenue), min(1.0, 1.5 * parameter), p)
            covariates[name] = (rng.uniform(size=n) < p).astype(float)
        elif kind == "score":
            covariates[name] = np.round(rng.normal(size=n), 2)
    covariates = {name: covariates[name] for name, *_ in specs}
    eta = sum(beta * covariates[name] for name, _, _, beta in specs)
    churn_at = rng.exponential(base_days * np.exp(-eta))
    followed = rng.uniform(1.0, follow_up, n)
    durations = np.round(np.minimum(churn_at, followed))
    events = churn_at <= followed
    return durations, events, covariates


RANDOM = {
    # name: (seed, n, [(covariate, kind, parameter, beta)])
    "random_n50_p1": (20261201, 50, [("refund", "action", 0.4, 0.9)]),
    "random_n120_p2": (
        20261202,
        120,
        [("support_ticket", "action", 0.3, 0.5), ("monthly_revenue", "revenue", 40.0, -0.004)],
    ),
    "random_n300_p3": (
        20261203,
        300,
        [
            ("downgrade", "action", 0.15, 1.1),
            ("refund", "action", 0.25, 0.4),
            ("monthly_revenue", "revenue", 60.0, -0.002),
        ],
    ),
    "random_n600_p4": (
        20261204,
        600,
        [
            ("discount", "action", 0.2, -0.6),
            ("rare_escalation", "action", 0.03, 0.8),
            ("satisfaction", "score", 0.0, -0.3),
            ("monthly_revenue", "revenue", 120.0, -0.001),
        ],
    ),
    "random_n1000_p5": (
        20261205,
        1000,
        [
            ("refund", "action", 0.2, 0.5),
            ("downgrade", "action", 0.1, 0.9),
            ("discount", "action", 0.3, -0.4),
            ("support_ticket", "action", 0.5, 0.05),
            ("monthly_revenue", "revenue", 80.0, -0.003),
        ],
    ),
    "random_n2000_p6": (
        20261206,
        2000,
        [
            ("refund", "action", 0.2, 0.35),
            ("downgrade", "action", 0.08, 1.2),
            ("discount", "action", 0.25, -0.5),
            ("support_ticket", "action", 0.4, 0.0),
            ("satisfaction", "score", 0.0, -0.2),
            ("monthly_revenue", "revenue", 50.0, -0.005),
        ],
    ),
    # Revenue in cents: a covariate in the thousands next to indicators.
    "random_n400_cents": (
        20261207,
        400,
        [("refund", "action", 0.3, 0.7), ("monthly_revenue_cents", "revenue", 5000.0, -0.00004)],
    ),
}


def rossi():
    df = load_rossi()
    covariates = {c: df[c].to_numpy(dtype=float) for c in df.columns if c not in ("week", "arrest")}
    return df["week"].to_numpy(dtype=float), df["arrest"].to_numpy(dtype=bool), covariates


def fit(durations, events, covariates, fit_options=None):
    df = pd.DataFrame(covariates)
    df["T"] = durations
    df["E"] = events.astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no convergence or low-variance warnings
        return CoxPHFitter().fit(df, "T", "E", fit_options=fit_options)


def number(x):
    """Whole numbers as JSON integers (shorter), the rest as floats."""
    x = float(x)
    return int(x) if x.is_integer() and abs(x) < 2**53 else x


def case(durations, events, covariates):
    default = fit(durations, events, covariates)
    cph = fit(durations, events, covariates, fit_options=TIGHT)
    sd = np.array([np.std(covariates[c], ddof=1) for c in covariates])
    gap = np.max(np.abs((default.params_.values - cph.params_.values) * sd))
    s = cph.summary
    lrt = cph.log_likelihood_ratio_test()
    coefficients = []
    for name in covariates:
        row = s.loc[name]
        coefficients.append({
            "name": name,
            "coef": float(row["coef"]),
            "se": float(row["se(coef)"]),
            "hazard_ratio": float(row["exp(coef)"]),
            "hr_lower": float(row["exp(coef) lower 95%"]),
            "hr_upper": float(row["exp(coef) upper 95%"]),
            "z": float(row["z"]),
            "p": float(row["p"]),
        })
    return {
        "durations": [number(d) for d in durations],
        "events": [bool(e) for e in events],
        "covariates": [{"name": c, "values": [number(v) for v in covariates[c]]} for c in covariates],
        "n": int(len(durations)),
        "events_observed": int(np.sum(events)),
        "distinct_event_times": int(len(np.unique(durations[events]))),
        "coefficients": coefficients,
        "log_likelihood": float(cph.log_likelihood_),
        "lr_statistic": float(lrt.test_statistic),
        "lr_df": int(lrt.degrees_freedom),
        "lr_p": float(lrt.p_value),
        "lifelines_default": {
            "coef": [float(default.params_[c]) for c in covariates],
            "se": [float(default.standard_errors_[c]) for c in covariates],
            "log_likelihood": float(default.log_likelihood_),
        },
        "default_gap": float(gap),
    }


def main():
    out = {"versions": {k: version(k) for k in REQUIRED}, "cases": {}}
    out["cases"]["hand_ties"] = case(*hand_ties())
    for name, (seed, n, specs) in RANDOM.items():
        out["cases"][name] = case(*simulated(seed, n, specs))
    out["cases"]["rossi"] = case(*rossi())
    for name, c in out["cases"].items():
        print(f"{name:>18}: n {c['n']:>4}, events {c['events_observed']:>4} at "
              f"{c['distinct_event_times']:>3} times, ll {c['log_likelihood']:.6f}, "
              f"default fit {c['default_gap']:.1e} away")
    text = json.dumps(out, indent=1, allow_nan=False)
    OUTPUT.write_text(text + "\n")
    print(f"wrote {OUTPUT} ({len(text) // 1024} KiB)")


if __name__ == "__main__":
    main()
