#!/usr/bin/env python3
"""Reference values for the holdout experiments ``server/src/analytics/experiment.rs``.

``server/tests/stats_experiment.rs`` reads the two JSON files this script writes
next to it:

* ``experiment_cases.json``: three hand-made experiments (numpy, fixed seed),
  written out in full so that Rust needs no Python: per experiment its action
  kind and, per assigned customer, the arm, the churn day (relative to the
  moment the action was given; null for none, negative for a customer who had
  churned before) and the number and sum of the reply scores that count for the
  case. Two experiments test a credit (so the pooled credit effect pools two),
  one a gift. Churn days are whole days, so event times are tied; follow-up
  ends at day 200 (the as-of date).
* ``experiment_reference.json``: per experiment and arm the customers, the
  followed, the churned, the mean of the customers' mean sentiment with its
  95 % t-interval (``scipy.stats.t.interval``), S(30/90/180) with lifelines'
  ``KaplanMeierFitter`` 95 % intervals; the effects treated − held out: Welch's
  interval of the means (``scipy.stats.ttest_ind(equal_var=False)``'s
  ``confidence_interval``) and the S(90) difference with the normal
  approximation of both Greenwood variances (computed here by hand from the
  event table); lifelines' ``logrank_test`` p; and per kind the fixed-effect pool
  of ``statsmodels.stats.meta_analysis.combine_effects``.

Run from the repository root: ``python3 server/stats/experiment_reference.py``
(numpy, scipy 1.17, lifelines 0.30, statsmodels 0.15).
"""

import json
import math
import pathlib

import numpy as np
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from scipy import stats
from statsmodels.stats.meta_analysis import combine_effects

HERE = pathlib.Path(__file__).parent
AS_OF = 200
Z = stats.norm.ppf(0.975)

rng = np.random.default_rng(20261204)


def experiment(kind, n, held, churn_treated, churn_held, mood_treated, mood_held):
    arms = [True] * held + [False] * (n - held)
    rng.shuffle(arms)
    cases = []
    for i, held_out in enumerate(arms):
        rate = churn_held if held_out else churn_treated
        day = int(rng.exponential(1 / rate)) if rate > 0 else None
        if day is not None and day >= 400:
            day = None
        replies = int(rng.integers(0, 4))
        mood = mood_held if held_out else mood_treated
        scores = [round(float(np.tanh(mood + 0.5 * rng.normal())), 4) for _ in range(replies)]
        cases.append({
            "held_out": held_out,
            "churn_day": day,
            "replies": replies,
            "score_sum": sum(scores),
        })
    return {"kind": kind, "cases": cases}


experiments = [
    experiment("credit", 90, 27, 0.002, 0.006, 0.4, -0.1),
    experiment("credit", 60, 30, 0.003, 0.004, 0.1, 0.0),
    experiment("gift", 50, 10, 0.004, 0.004, 0.3, 0.1),
]
# Edge cases: a churn on the day the action was given, one before it (not followed),
# and a tie between the arms.
experiments[0]["cases"][0]["churn_day"] = 0
experiments[0]["cases"][1]["churn_day"] = -3
experiments[0]["cases"][2]["churn_day"] = 45
experiments[0]["cases"][3]["churn_day"] = 45


def followed(cases):
    out = []
    for c in cases:
        d = c["churn_day"]
        if d is not None and d < 0:
            continue
        if d is not None and d < AS_OF:
            out.append((float(d), True))
        else:
            out.append((float(AS_OF), False))
    return out


def greenwood_at(obs, t):
    """S(t) and the Greenwood sum, from the event table, by hand."""
    times = sorted({d for d, _ in obs})
    s, v = 1.0, 0.0
    for u in times:
        if u > t:
            break
        n = sum(1 for d, _ in obs if d >= u)
        d = sum(1 for x, e in obs if x == u and e)
        if d:
            s *= (n - d) / n
            if n > d:
                v += d / (n * (n - d))
    return s, v


def surv(obs, t):
    kmf = KaplanMeierFitter().fit([d for d, _ in obs], [e for _, e in obs])
    s = float(kmf.survival_function_at_times(t).iloc[0])
    ci = kmf.confidence_interval_survival_function_
    row = ci[ci.index <= t].iloc[-1]
    return {"survival": s, "lower": float(row.iloc[0]), "upper": float(row.iloc[1])}


def means(cases):
    return [c["score_sum"] / c["replies"] for c in cases if c["replies"] > 0]


reference = []
for e in experiments:
    arms = {}
    for name, held in (("treated", False), ("held_out", True)):
        cases = [c for c in e["cases"] if c["held_out"] == held]
        obs = followed(cases)
        m = means(cases)
        lo, hi = stats.t.interval(0.95, len(m) - 1, loc=np.mean(m), scale=stats.sem(m))
        arms[name] = {
            "customers": len(cases),
            "followed": len(obs),
            "churned": sum(1 for _, ev in obs if ev),
            "sentiment": {"n": len(m), "mean": float(np.mean(m)), "lower": float(lo), "upper": float(hi)},
            "s30": surv(obs, 30),
            "s90": surv(obs, 90),
            "s180": surv(obs, 180),
            "obs": obs,
            "means": m,
        }
    t, h = arms["treated"], arms["held_out"]
    welch = stats.ttest_ind(t["means"], h["means"], equal_var=False)
    wci = welch.confidence_interval(0.95)
    wse = math.sqrt(np.var(t["means"], ddof=1) / len(t["means"]) + np.var(h["means"], ddof=1) / len(h["means"]))
    st, vt = greenwood_at(t["obs"], 90)
    sh, vh = greenwood_at(h["obs"], 90)
    se90 = math.sqrt(st * st * vt + sh * sh * vh)
    lr = logrank_test([d for d, _ in t["obs"]], [d for d, _ in h["obs"]],
                      [ev for _, ev in t["obs"]], [ev for _, ev in h["obs"]])
    for a in (t, h):
        del a["obs"], a["means"]
    reference.append({
        "kind": e["kind"],
        "treated": t,
        "held_out": h,
        "sentiment_effect": {"estimate": float(wci.low + wci.high) / 2, "lower": float(wci.low),
                             "upper": float(wci.high), "se": wse},
        "s90_effect": {"estimate": st - sh, "lower": st - sh - Z * se90, "upper": st - sh + Z * se90, "se": se90},
        "logrank_p": float(lr.p_value),
    })

pooled = []
for kind in ("credit", "gift"):
    of = [r for r in reference if r["kind"] == kind]
    row = {"kind": kind, "experiments": len(of)}
    for key in ("sentiment_effect", "s90_effect"):
        eff = np.array([r[key]["estimate"] for r in of])
        var = np.array([r[key]["se"] ** 2 for r in of])
        res = combine_effects(eff, var, use_t=False)
        fe = res.summary_frame().loc["fixed effect"]
        row[key] = {"estimate": float(fe["eff"]), "lower": float(fe["ci_low"]),
                    "upper": float(fe["ci_upp"]), "se": float(fe["sd_eff"])}
    pooled.append(row)

(HERE / "experiment_cases.json").write_text(json.dumps({"as_of_day": AS_OF, "experiments": experiments}, indent=1) + "\n")
(HERE / "experiment_reference.json").write_text(json.dumps({"experiments": reference, "pooled": pooled}, indent=1) + "\n")
print("wrote", len(experiments), "experiments")
