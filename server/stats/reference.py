#!/usr/bin/env python3
"""Reference values for the statistics module ``server/src/stats/``.

``server/tests/stats.rs`` reads the JSON this script writes (``reference.json``,
next to it) and checks every number of the Rust implementation against it:

* Kaplan–Meier tables from lifelines' ``KaplanMeierFitter``: timeline,
  ``KM_estimate``, lower/upper of ``confidence_interval_`` (95 %, Greenwood
  log(-log) "exponential" interval), at_risk / observed / censored of
  ``event_table``; survival at fixed times (``survival_function_at_times``)
  with the interval of the step (``confidence_interval_.asof``);
* two-group log-rank tests (``lifelines.statistics.logrank_test``);
* Wilson intervals (``statsmodels ... proportion_confint(method="wilson")``),
  both with the DESIGN's z = 1.959964 and with statsmodels' default alpha;
* Student t quantiles (``scipy.stats.t.ppf``) and mean t-intervals
  (``scipy.stats.t.interval``), erfc (``scipy.special.erfc``) and the
  chi-squared(1) survival function (``scipy.stats.chi2.sf``).

The data sets are fixed in this file (the ~200-case realistic ones are drawn
with a fixed numpy seed and written out in full, so Rust needs no generator).
The script refuses other versions than the ones below. Rerun from the
repository root:

    pip install lifelines==0.30.3 scipy==1.17.1 statsmodels==0.15.0 numpy==2.4.6 pandas==2.3.3
    python3 server/stats/reference.py
"""

import json
import sys
from importlib.metadata import version
from pathlib import Path

REQUIRED = {
    "lifelines": "0.30.3",
    "scipy": "1.17.1",
    "statsmodels": "0.15.0",
    "numpy": "2.4.6",
    "pandas": "2.3.3",
}
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "reference.json"
DESIGN_Z = 1.959964
AT_TIMES = [0.0, 0.5, 1.0, 3.0, 5.0, 7.0, 10.0, 30.0, 90.0, 180.0, 400.0]

for name, wanted in REQUIRED.items():
    if version(name) != wanted:
        sys.exit(f"{name} {version(name)} is installed; this script needs {wanted}")

import numpy as np  # noqa: E402
from lifelines import KaplanMeierFitter  # noqa: E402
from lifelines.statistics import logrank_test  # noqa: E402
from scipy import special, stats  # noqa: E402
from statsmodels.stats.proportion import proportion_confint  # noqa: E402


def realistic(seed, n, churn_scale):
    """Cases followed up to 365 days (as-of censoring), churn exponential."""
    rng = np.random.default_rng(seed)
    follow_up = rng.uniform(0.5, 365.0, n)
    churn_at = rng.exponential(churn_scale, n)
    durations = np.round(np.minimum(follow_up, churn_at), 4)
    events = churn_at <= follow_up
    return [float(d) for d in durations], [bool(e) for e in events]


REAL_A = realistic(20261123, 200, 1400.0)
REAL_B = realistic(20261124, 160, 600.0)

KM_SETS = {
    # The hand-worked example of the Rust tests: a tie of an event and a censoring at 5,
    # S reaches 0 at the last time.
    "textbook6": ([3, 5, 5, 8, 10, 12], [1, 1, 0, 1, 0, 1]),
    # Many ties of events and censorings, censored at the last time.
    "ties": (
        [1, 1, 1, 2, 2, 3, 3, 3, 4, 6, 6, 7, 7],
        [1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 0],
    ),
    "censored_last": ([2.5, 4, 4, 7.25, 9, 9], [1, 0, 1, 1, 0, 0]),
    "all_censored": ([5, 10, 10, 40, 100], [0, 0, 0, 0, 0]),
    "all_events": ([0.5, 2, 2, 3, 8, 13.5], [1, 1, 1, 1, 1, 1]),
    "single_event": ([12.0], [1]),
    "single_censored": ([12.0], [0]),
    "reaches_zero": ([1, 2, 3, 3, 4], [1, 0, 1, 1, 1]),
    "zero_durations": ([0, 0, 0, 1.5, 20, 45, 200], [1, 1, 0, 1, 0, 1, 0]),
    "around_checkpoints": (
        [10, 25, 30, 30, 30, 60, 90, 90, 95, 120, 180, 180, 181, 250, 365, 365],
        [1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 1, 0, 0, 0],
    ),
    "realistic_a": REAL_A,
    "realistic_b": REAL_B,
}

LOGRANK_PAIRS = {
    "clear_difference": (
        ([1, 2, 2, 3, 4, 5, 6, 8, 9, 11], [1, 1, 1, 1, 1, 0, 1, 1, 1, 1]),
        ([10, 14, 20, 25, 30, 30, 40, 45, 50, 60], [0, 1, 0, 0, 1, 0, 0, 0, 1, 0]),
    ),
    "nearly_identical": (
        ([2, 4, 6, 8, 10, 12, 14, 16, 18, 20], [1, 0, 1, 1, 0, 1, 0, 1, 1, 0]),
        ([2, 4, 5, 8, 10, 12, 14, 16, 19, 21], [1, 0, 1, 1, 0, 1, 1, 0, 1, 0]),
    ),
    "ties_across_groups": (KM_SETS["ties"], KM_SETS["censored_last"]),
    "textbook_vs_all_events": (KM_SETS["textbook6"], KM_SETS["all_events"]),
    "single_vs_group": (KM_SETS["single_event"], KM_SETS["around_checkpoints"]),
    "one_group_without_events": (KM_SETS["all_censored"], KM_SETS["all_events"]),
    "realistic": (REAL_A, REAL_B),
}

WILSON = [
    (0, 1), (1, 1), (0, 10), (10, 10), (8, 10), (1, 3), (2, 3), (50, 100),
    (123, 457), (1, 1000), (999, 1000), (7, 25), (250, 251), (3, 1_000_000),
]

T_DFS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 25, 30, 40, 50, 75, 100, 150,
         200, 300, 500, 1000, 2000, 5000, 10000, 0.5, 2.5, 7.3]
T_PS = [0.5, 0.6, 0.9, 0.95, 0.975, 0.995, 0.9995, 0.025, 0.001]


def mean_sets():
    rng = np.random.default_rng(7)
    big = np.clip(rng.normal(0.3, 0.45, 200), -1.0, 1.0).round(4)
    return {
        "two": [0.5, -0.2],
        "one_to_five": [1, 2, 3, 4, 5],
        "sentiment10": [0.8977, 0.4404, -0.296, 0.0, 0.6369, 0.7351, -0.5106, 0.9186, 0.34, 0.128],
        "three_negative": [-0.9, -0.85, -0.3],
        "realistic200": [float(x) for x in big],
    }


def km_case(durations, events):
    kmf = KaplanMeierFitter().fit(durations, event_observed=events)
    table = kmf.event_table
    ci = kmf.confidence_interval_
    rows = table.index[table["removed"] > 0]  # drop lifelines' added row at 0
    sf = kmf.survival_function_["KM_estimate"]
    at = []
    for t in AT_TIMES:
        s = float(kmf.survival_function_at_times(t).iloc[0])
        lo, up = (float(v) for v in ci.asof(t).values)
        assert s == float(sf.asof(t))
        at.append({"t": t, "survival": s, "lower": lo, "upper": up})
    return {
        "durations": [float(d) for d in durations],
        "events": [bool(e) for e in events],
        "time": [float(t) for t in rows],
        "survival": [float(sf[t]) for t in rows],
        "lower": [float(ci.loc[t].iloc[0]) for t in rows],
        "upper": [float(ci.loc[t].iloc[1]) for t in rows],
        "at_risk": [int(table.loc[t, "at_risk"]) for t in rows],
        "observed": [int(table.loc[t, "observed"]) for t in rows],
        "censored": [int(table.loc[t, "censored"]) for t in rows],
        "at": at,
    }


def main():
    out = {"versions": {k: version(k) for k in REQUIRED}, "km": {}, "logrank": {}}
    for name, (d, e) in KM_SETS.items():
        out["km"][name] = km_case(d, e)
    for name, ((da, ea), (db, eb)) in LOGRANK_PAIRS.items():
        r = logrank_test(da, db, event_observed_A=ea, event_observed_B=eb)
        out["logrank"][name] = {
            "a": {"durations": [float(x) for x in da], "events": [bool(x) for x in ea]},
            "b": {"durations": [float(x) for x in db], "events": [bool(x) for x in eb]},
            "statistic": float(r.test_statistic),
            "p_value": float(r.p_value),
        }
    design_alpha = 2.0 * stats.norm.sf(DESIGN_Z)
    out["wilson"] = []
    for k, n in WILSON:
        lo, up = proportion_confint(k, n, alpha=design_alpha, method="wilson")
        lo0, up0 = proportion_confint(k, n, alpha=0.05, method="wilson")
        out["wilson"].append({"successes": k, "n": n, "lower": float(lo), "upper": float(up),
                              "lower_alpha_05": float(lo0), "upper_alpha_05": float(up0)})
    out["t_quantile"] = [{"p": p, "df": float(df), "q": float(stats.t.ppf(p, df))}
                         for df in T_DFS for p in T_PS]
    out["mean"] = {}
    for name, xs in mean_sets().items():
        x = np.asarray(xs, dtype=float)
        lo, up = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        out["mean"][name] = {"values": [float(v) for v in x], "mean": float(x.mean()),
                             "sd": float(x.std(ddof=1)), "lower": float(lo), "upper": float(up)}
    xs = [0.0, 1e-10, 0.1, 0.4769362762044699, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0,
          26.0, -0.5, -2.0]
    out["erfc"] = [{"x": x, "erfc": float(special.erfc(x))} for x in xs]
    chis = [0.0, 1e-6, 0.5, 1.0, 3.841458820694124, 6.63, 10.0, 50.0, 100.0, 500.0]
    out["chi2_sf"] = [{"x": x, "sf": float(stats.chi2.sf(x, 1))} for x in chis]
    text = json.dumps(out, indent=1, allow_nan=False)
    OUTPUT.write_text(text + "\n")
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
