#!/usr/bin/env python3
"""Reference values for the adjusted effect ``server/src/analytics/adjusted.rs``.

``server/tests/stats_adjusted.rs`` reads the two JSON files this script writes
next to it:

* ``adjusted_cases.json``: a hand-made but realistic data set, written out in
  full so that Rust needs no Python and no generator: incidents (severity and
  start date), customers (plan, monthly revenue in cents, sign-up and churn
  dates) and the cases (which customer was hit by which incident, and the
  action kinds they were given). Each customer is hit by one incident only, so
  a case's churn date is the customer's.
* ``adjusted_reference.json``: lifelines' ``CoxPHFitter`` (Efron's method for
  ties) fitted on the design matrix built from those cases, per term the
  coefficient, its standard error, z, p, the hazard ratio and its 95 %
  interval; the cases, events and the likelihood-ratio test against the model
  without covariates.

The data (numpy, fixed seed): 184 cases of 24 incidents between 2026-01-05 and
2026-08-31, each hitting 3 to 14 customers; four plans (``enterprise`` has 7 cases, fewer
than the 10 a plan needs to be a level of its own, so it is pooled into
``other plans``); four action kinds given with probabilities that depend on
severity and revenue (as support teams do); churn after the incident with a
hazard proportional to exp(x·β) (``BETA``), in whole days, so most event times
are tied (100 churns at 83 times); one customer churns on the incident's day
(duration 0), 29 after the as-of day (censored then) and 55 never; four
starter customers on a free month have no revenue.

The design matrix is built here from the written cases alone, independently of
the Rust code, as the module docs of ``adjusted.rs`` define it (the as-of day
is 2026-12-01, all dates UTC midnights):

* duration = (min(churn, as-of) − incident start) in days; event = churned
  before the as-of day;
* one indicator per action kind given to at least one case, in ``ActionKind``
  order (credit, refund, gift, apology, proactive_contact, discount, other);
* one indicator per severity present other than the most common one (on a
  tie, the more severe: the lower number);
* plans with at least 10 cases are levels of their own, the others pooled as
  ``other plans``; one indicator per level other than the most common one (on
  a tie, the first by name), levels in order of name;
* revenue = log2(1 + monthly revenue in dollars).

The reference fit uses the tight convergence settings of ``cox_reference.py``
(``fit_options=TIGHT``) and fails on any lifelines warning.

The script refuses other versions than the ones below. Rerun from the
repository root:

    pip install lifelines==0.30.3 scipy==1.17.1 numpy==2.4.6 pandas==2.3.3
    python3 server/stats/adjusted_reference.py
"""

import json
import math
import sys
import warnings
from datetime import date, datetime, timedelta, timezone
from importlib.metadata import version
from pathlib import Path

REQUIRED = {
    "lifelines": "0.30.3",
    "scipy": "1.17.1",
    "numpy": "2.4.6",
    "pandas": "2.3.3",
}
HERE = Path(__file__).resolve().parent
CASES = HERE / "adjusted_cases.json"
OUTPUT = HERE / "adjusted_reference.json"
TIGHT = {"precision": 1e-20, "r_precision": 1e-16, "max_steps": 100}

for name, wanted in REQUIRED.items():
    if version(name) != wanted:
        sys.exit(f"{name} {version(name)} is installed; this script needs {wanted}")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from lifelines import CoxPHFitter  # noqa: E402

SEED = 20261201
AS_OF = "2026-12-01"
FIRST_INCIDENT, LAST_INCIDENT = date(2026, 1, 5), date(2026, 8, 31)
# Churn later than this is not in the data: the customer has not churned (yet).
HORIZON = date(2027, 3, 31)

ACTION_KINDS = ["credit", "refund", "gift", "apology", "proactive_contact", "discount", "other"]
SEVERITIES = ["sev1", "sev2", "sev3", "sev4"]
MIN_PLAN_CASES = 10
OTHER_PLANS = "other plans"

# plan: (cases, median monthly revenue in dollars)
PLANS = {"starter": (82, 29.0), "growth": (64, 99.0), "business": (31, 399.0), "enterprise": (7, 1500.0)}
# Starter customers on a free month: no revenue.
FREE = 4

# The true effects on the churn hazard (log hazard ratios).
BETA = {
    "credit": -0.5,
    "apology": -0.1,
    "proactive_contact": -0.6,
    "discount": -0.35,
    "sev1": 0.7,
    "sev2": 0.35,
    "sev4": -0.3,
    "growth": -0.1,
    "business": -0.2,
    "enterprise": -0.3,
    "revenue": -0.12,
}
BASE_DAYS = 100.0  # mean time to churn of a baseline case with no revenue


def day(d):
    return d.isoformat()


def generate():
    """The data set: incidents, customers and cases (see the module docs)."""
    rng = np.random.default_rng(SEED)
    span = (LAST_INCIDENT - FIRST_INCIDENT).days

    incidents = []
    sizes = []
    while sum(sizes) < sum(n for n, _ in PLANS.values()):
        severity = SEVERITIES[rng.choice(4, p=[0.15, 0.3, 0.35, 0.2])]
        started = FIRST_INCIDENT + timedelta(days=int(rng.integers(0, span + 1)))
        incidents.append({"severity": severity, "started": day(started)})
        sizes.append(int(rng.integers(3, 15)))
    total = sum(n for n, _ in PLANS.values())
    sizes[-1] -= sum(sizes) - total
    assert sizes[-1] >= 1

    plans = [p for p, (n, _) in PLANS.items() for _ in range(n)]
    rng.shuffle(plans)
    free = set(i for i, p in enumerate(plans) if p == "starter")
    free = set(sorted(free)[:: len(free) // FREE][:FREE])

    customers, cases = [], []
    k = 0
    for incident, size in enumerate(sizes):
        started = date.fromisoformat(incidents[incident]["started"])
        severity = incidents[incident]["severity"]
        for _ in range(size):
            plan = plans[k]
            median = PLANS[plan][1]
            dollars = 0.0 if k in free else median * math.exp(rng.normal(0.0, 0.35))
            minor = int(round(dollars * 100))
            signed_up = date(2024, 1, 1) + timedelta(days=int(rng.integers(0, 700)))

            severe = severity in ("sev1", "sev2")
            p = {
                "credit": 0.45 if severe else 0.2,
                "apology": 0.6 if severe else 0.35,
                "proactive_contact": 0.3 if plan in ("business", "enterprise") else 0.15,
                "discount": 0.25 if dollars > 80 else 0.1,
            }
            kinds = [kind for kind in ACTION_KINDS if kind in p and rng.uniform() < p[kind]]

            revenue = math.log2(1.0 + minor / 100)
            eta = sum(BETA[kind] for kind in kinds)
            eta += BETA.get(severity, 0.0) + BETA.get(plan, 0.0) + BETA["revenue"] * revenue
            # Whole days: a churn on the incident's day is day 0.
            days = int(rng.exponential(BASE_DAYS * math.exp(-eta)))
            churned = started + timedelta(days=days)
            customers.append({
                "plan": plan,
                "monthly_revenue_minor": minor,
                "currency": "USD",
                "signed_up": day(signed_up),
                "churned": day(churned) if churned <= HORIZON else None,
            })
            cases.append({"incident": incident, "customer": k, "kinds": kinds})
            k += 1
    return {
        "as_of": AS_OF,
        "seed": SEED,
        "incidents": incidents,
        "customers": customers,
        "cases": cases,
    }


def one_per_line(data):
    """JSON with each incident, customer and case on a line of its own."""
    parts = []
    for key, value in data.items():
        if isinstance(value, list):
            rows = ",\n".join("  " + json.dumps(v) for v in value)
            parts.append(f" {json.dumps(key)}: [\n{rows}\n ]")
        else:
            parts.append(f" {json.dumps(key)}: {json.dumps(value)}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def utc_seconds(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def most_common(counts, order):
    """The most common key, ties going to the first in `order`."""
    best = max(counts.values())
    return next(k for k in order if counts.get(k) == best)


def design(data):
    """Durations, events, the covariates in model order, their names and the baselines."""
    as_of = utc_seconds(data["as_of"])
    incidents, customers = data["incidents"], data["customers"]
    rows = []
    for c in data["cases"]:
        incident, customer = incidents[c["incident"]], customers[c["customer"]]
        started = utc_seconds(incident["started"])
        churned = None if customer["churned"] is None else utc_seconds(customer["churned"])
        assert started < as_of and (churned is None or churned >= started)
        event = churned is not None and churned < as_of
        end = churned if event else as_of
        rows.append({
            "duration": (end - started) / 86400.0,
            "event": event,
            "kinds": set(c["kinds"]),
            "severity": incident["severity"],
            "plan": customer["plan"],
            "revenue": math.log2(1.0 + customer["monthly_revenue_minor"] / 100),
        })

    columns = {}
    for kind in ACTION_KINDS:
        values = [1.0 if kind in r["kinds"] else 0.0 for r in rows]
        if any(values):
            columns[f"action:{kind}"] = values

    severities = {}
    for r in rows:
        severities[r["severity"]] = severities.get(r["severity"], 0) + 1
    severity_base = most_common(severities, SEVERITIES)
    for s in SEVERITIES:
        if s != severity_base and s in severities:
            columns[f"severity:{s}"] = [1.0 if r["severity"] == s else 0.0 for r in rows]

    plans = {}
    for r in rows:
        plans[r["plan"]] = plans.get(r["plan"], 0) + 1

    def level(plan):
        return plan if plans[plan] >= MIN_PLAN_CASES else OTHER_PLANS

    levels = {}
    for r in rows:
        levels[level(r["plan"])] = levels.get(level(r["plan"]), 0) + 1
    names = sorted(levels)
    plan_base = most_common(levels, names)
    for lv in names:
        if lv != plan_base:
            columns[f"plan:{lv}"] = [1.0 if level(r["plan"]) == lv else 0.0 for r in rows]

    columns["revenue"] = [r["revenue"] for r in rows]
    durations = np.array([r["duration"] for r in rows])
    events = np.array([r["event"] for r in rows])
    baselines = {"severity": severity_base, "plan": plan_base}
    counts = {"severities": severities, "plans": plans, "levels": levels}
    return durations, events, columns, baselines, counts


def fit(durations, events, columns, fit_options=None):
    # lifelines wants plain column names; the terms' names go back on afterwards.
    df = pd.DataFrame({f"x{i}": v for i, v in enumerate(columns.values())})
    df["T"] = durations
    df["E"] = events.astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no convergence, low-variance or separation warnings
        return CoxPHFitter().fit(df, "T", "E", fit_options=fit_options)


def main():
    data = generate()
    CASES.write_text(one_per_line(data))
    # The reference is built from the cases as written, not from the generator's state.
    data = json.loads(CASES.read_text())
    durations, events, columns, baselines, counts = design(data)
    cph = fit(durations, events, columns, fit_options=TIGHT)
    default = fit(durations, events, columns)
    sd = np.array([np.std(v, ddof=1) for v in columns.values()])
    gap = float(np.max(np.abs((default.params_.values - cph.params_.values) * sd)))
    s = cph.summary
    lrt = cph.log_likelihood_ratio_test()
    terms = []
    for i, (name, values) in enumerate(columns.items()):
        row = s.loc[f"x{i}"]
        terms.append({
            "name": name,
            "cases": int(sum(1 for v in values if v != 0.0)),
            "coef": float(row["coef"]),
            "se": float(row["se(coef)"]),
            "hazard_ratio": float(row["exp(coef)"]),
            "hr_lower": float(row["exp(coef) lower 95%"]),
            "hr_upper": float(row["exp(coef) upper 95%"]),
            "z": float(row["z"]),
            "p": float(row["p"]),
        })
    out = {
        "versions": {k: version(k) for k in REQUIRED},
        "as_of": data["as_of"],
        "n": int(len(durations)),
        "events": int(np.sum(events)),
        "distinct_event_times": int(len(np.unique(durations[events]))),
        "baselines": baselines,
        "counts": counts,
        "terms": terms,
        "log_likelihood": float(cph.log_likelihood_),
        "lr_statistic": float(lrt.test_statistic),
        "lr_df": int(lrt.degrees_freedom),
        "lr_p": float(lrt.p_value),
        "default_gap": gap,
    }
    text = json.dumps(out, indent=1, allow_nan=False)
    OUTPUT.write_text(text + "\n")
    print(f"{out['n']} cases, {out['events']} churned at {out['distinct_event_times']} times; "
          f"baselines {baselines}; counts {counts}")
    for t in terms:
        print(f"{t['name']:>26}: {t['cases']:>3} cases, HR {t['hazard_ratio']:.3f} "
              f"[{t['hr_lower']:.3f}, {t['hr_upper']:.3f}], p {t['p']:.2g}")
    print(f"LR {out['lr_statistic']:.3f} on {out['lr_df']} df, p {out['lr_p']:.3g}; "
          f"default fit {gap:.1e} away")
    print(f"wrote {CASES} and {OUTPUT}")


if __name__ == "__main__":
    main()
