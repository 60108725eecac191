#!/usr/bin/env python3
"""Deterministic generator of synthetic CRM "opportunities" exports, for kpi's benchmark.

Usage:
    python3 bench/gen_crm.py N OUT.csv [--seed 42] [--french] [--multiline-rate 0.0005]

Needs numpy (bench/run.sh installs it in target/bench/venv). The output is byte-identical for
the same N, seed, flags and numpy version: one PCG64 stream, consumed in fixed-size chunks.
Every row is distinct (no block is repeated); 10M rows (1.65 GB) take about a minute or two.

Columns (the header is in English in both variants):
  opportunity_id  OPP-000000123; ~0.5 % of rows re-use an earlier id (duplicated export rows)
  account_id      ACC-00001234; N/20 distinct, skewed (big accounts have many deals)
  account_name    derived from the account; some hold the delimiter, `;` or `""` -> quoted
  owner           200 sales reps, "First Last" with accents (Élodie, Müller, Zoë…), skewed
  region          8 values;  channel 6 values;  product 10 values
  stage           Prospecting / Qualified / Proposal / Won / Lost (older deals closed more often)
  created_at      datetime, 2023-01-01 .. 2024-12-31
  closed_at       empty while open, else created_at + duration
  amount          2-decimal money, lognormal, ~3 % empty
  currency        EUR / USD / GBP
  discount_pct    one decimal, empty when no discount
  probability     integer percent implied by the stage
  nps_score       0..10, ~80 % empty (present more often on closed deals)
  email_opened    true / false
  next_step       free text, often empty, sometimes holding the delimiter, and in a few rows
                  (--multiline-rate) a line break inside quotes: the case that breaks naive
                  parallel splitting of the file

Standard variant: `,`, `.` decimals, ISO `YYYY-MM-DDTHH:MM:SS`, LF, no BOM.
--french: what French Excel writes: `;`, decimal comma, `dd/mm/yyyy HH:MM`, VRAI/FAUX, CRLF and
a UTF-8 BOM.
"""
import argparse
import sys

import numpy as np

CHUNK = 250_000  # part of the output's definition: changing it changes the bytes

REGIONS = ["North America", "LATAM", "UK&I", "DACH", "France", "Nordics", "Southern Europe", "APAC"]
REGION_W = [0.24, 0.07, 0.12, 0.14, 0.16, 0.06, 0.09, 0.12]
CHANNELS = ["Inbound", "Outbound", "Partner", "Referral", "Event", "Web"]
CHANNEL_W = [0.30, 0.25, 0.15, 0.10, 0.08, 0.12]
CHANNEL_WIN = np.array([0.34, 0.22, 0.30, 0.45, 0.25, 0.28])
PRODUCTS = ["Starter", "Pro", "Enterprise", "Analytics Add-on", "Support Plus",
            "Onboarding", "API Access", "Data Connector", "Training", "Consulting"]
PRODUCT_W = [0.18, 0.22, 0.12, 0.10, 0.09, 0.07, 0.06, 0.06, 0.05, 0.05]
CURRENCIES = ["EUR", "USD", "GBP"]
CURRENCY_W = [0.6, 0.3, 0.1]
OPEN_STAGES = ["Prospecting", "Qualified", "Proposal"]
OPEN_PROB = ["10", "25", "50"]
FIRST = ["Élodie", "Jean", "Marie", "Lukas", "Sofia", "Olivier", "Chloé", "Ahmed", "Emma", "Noah",
         "Léa", "Hugo", "Anna", "Matteo", "Zoë", "François", "Camille", "Jonas", "Inès", "Björn"]
LAST = ["Durand", "Müller", "García", "Smith", "Rossi", "Dubois", "Nowak", "Lefèvre", "O'Brien",
        "Jensen"]
CO_A = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent",
        "Tyrell", "Dupont", "Martin", "Müller", "Nakamura", "Oceanic", "Pied Piper", "Cyberdyne",
        "Gringotts", "Monarch", "Wonka"]
CO_B = ["Corp", "SA", "GmbH", "Ltd", "& Fils", "Holdings", "Industries", "SAS", "Group", "Labs",
        "Logistics", "Partners"]
NEXT_STEPS = ["Send proposal", "Call back", "Demo scheduled", "Waiting for budget",
              "Legal review", "Follow up next week", "Intro meeting", "Send pricing, then call",
              "Negotiate discount; involve manager", "Procurement: PO pending"]
HEADER = ["opportunity_id", "account_id", "account_name", "owner", "region", "channel",
          "product", "stage", "created_at", "closed_at", "amount", "currency",
          "discount_pct", "probability", "nps_score", "email_opened", "next_step"]

T0 = np.datetime64("2023-01-01T00:00:00", "s")
SPAN_DAYS = 731  # 2023-01-01 .. 2024-12-31
NOW = T0 + np.timedelta64(SPAN_DAYS * 86400, "s")


def quote(s, delim):
    if delim in s or '"' in s or "\n" in s or "\r" in s:
        return '"' + s.replace('"', '""') + '"'
    return s


def pick(table, codes):
    """Strings of `table` at `codes`, through a numpy object array (faster than a Python loop)."""
    return np.asarray(table, dtype=object)[codes].tolist()


def main():
    ap = argparse.ArgumentParser(description="Deterministic synthetic CRM export")
    ap.add_argument("n", type=int, help="number of rows")
    ap.add_argument("out", help="output CSV path")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--french", action="store_true")
    ap.add_argument("--multiline-rate", type=float, default=0.0005)
    a = ap.parse_args()

    n, fr = a.n, a.french
    d = ";" if fr else ","
    eol = "\r\n" if fr else "\n"
    rng = np.random.default_rng(a.seed)

    n_acc = max(1, n // 20)
    acc_names = []
    for k in range(n_acc):
        nm = CO_A[k % len(CO_A)] + " " + CO_B[(k // len(CO_A)) % len(CO_B)]
        r = (k * 7919) % 100
        if r < 6:
            nm = CO_A[(k // 3) % len(CO_A)] + ", " + nm        # holds ','
        elif r < 9:
            nm = nm + "; " + ("Paris" if k % 2 else "Lyon")     # holds ';'
        elif r == 9:
            nm = 'The "' + nm + '"'                             # embedded quotes
        acc_names.append(quote(nm + " #" + str(k), d))
    acc_names = np.asarray(acc_names, dtype=object)
    reps = [FIRST[k % len(FIRST)] + " " + LAST[k // len(FIRST)] for k in range(200)]
    rep_w = rng.pareto(1.5, 200) + 1.0
    rep_w /= rep_w.sum()
    bools = ["VRAI", "FAUX"] if fr else ["true", "false"]
    steps_q = [quote(s, d) for s in NEXT_STEPS]
    steps_ml = [quote(NEXT_STEPS[k] + eol + "-- " + NEXT_STEPS[(k + 3) % len(NEXT_STEPS)], d)
                for k in range(len(NEXT_STEPS))]
    # next_step codes: 0..9 plain, 10..19 multi-line, 20 empty
    steps_all = steps_q + steps_ml + [""]
    stage_tab = OPEN_STAGES + ["Won", "Lost"]            # codes 0..2 open, 3 Won, 4 Lost
    prob_tab = OPEN_PROB + ["100", "0"]
    nps_tab = [str(k) for k in range(11)] + [""]         # 11 = empty

    def fmt_dt(arr):
        s = np.datetime_as_string(arr, unit="s")
        if not fr:
            return s.tolist()
        # dd/mm/yyyy HH:MM via fixed-width slicing of the ISO bytes, vectorised
        b = s.astype("S19").view("S1").reshape(-1, 19)
        out = np.empty((len(s), 16), dtype="S1")
        out[:, 0:2] = b[:, 8:10]
        out[:, 2] = b"/"
        out[:, 3:5] = b[:, 5:7]
        out[:, 5] = b"/"
        out[:, 6:10] = b[:, 0:4]
        out[:, 10] = b" "
        out[:, 11:16] = b[:, 11:16]
        return out.view("S16").ravel().astype("U16").tolist()

    with open(a.out, "wb") as f:
        if fr:
            f.write("\ufeff".encode())
        f.write((d.join(HEADER) + eol).encode())
        done = 0
        while done < n:
            c = min(CHUNK, n - done)
            idx = np.arange(done, done + c, dtype=np.int64)
            opp = idx.copy()
            dup = rng.random(c) < 0.005
            opp[dup] = (rng.random(int(dup.sum())) * np.maximum(idx[dup], 1)).astype(np.int64)
            opp_s = np.char.add("OPP-", np.char.zfill((opp + 1).astype("U9"), 9)).tolist()
            u = rng.random(c)
            acc = (np.floor(n_acc * u * u).astype(np.int64) * 2654435761) % n_acc
            acc_s = np.char.add("ACC-", np.char.zfill((acc + 1).astype("U8"), 8)).tolist()
            accn_s = acc_names[acc].tolist()
            owner_s = pick(reps, rng.choice(200, c, p=rep_w))
            reg_s = pick(REGIONS, rng.choice(8, c, p=REGION_W))
            ch = rng.choice(6, c, p=CHANNEL_W)
            ch_s = pick(CHANNELS, ch)
            prod_s = pick(PRODUCTS, rng.choice(10, c, p=PRODUCT_W))
            day = rng.integers(0, SPAN_DAYS, c)
            sec = (rng.normal(13.5, 2.5, c).clip(0, 23.99) * 3600).astype(np.int64)
            created = T0 + (day * 86400 + sec).astype("timedelta64[s]")
            age_days = (NOW - created).astype(np.int64) / 86400.0
            closed_flag = rng.random(c) < 1.0 - np.exp(-age_days / 40.0)
            won = closed_flag & (rng.random(c) < CHANNEL_WIN[ch])
            lost = closed_flag & ~won
            dur = np.where(won, rng.exponential(38.0, c), rng.exponential(24.0, c))
            dur = np.minimum(dur, age_days * rng.uniform(0.05, 0.999, c))
            closed = created + (dur * 86400).astype(np.int64).astype("timedelta64[s]")
            stage = rng.choice(3, c, p=[0.4, 0.35, 0.25])
            stage[won] = 3
            stage[lost] = 4
            stage_s = pick(stage_tab, stage)
            prob_s = pick(prob_tab, stage)
            created_s = fmt_dt(created)
            closed_s = np.where(closed_flag, np.asarray(fmt_dt(closed), dtype=object), "").tolist()
            cents = np.round(np.exp(rng.normal(9.0, 1.1, c)) * 100).astype(np.int64)
            amt = np.char.add(np.char.add((cents // 100).astype("U"), "," if fr else "."),
                              np.char.zfill((cents % 100).astype("U2"), 2))
            amt_s = np.where(rng.random(c) < 0.03, "", amt).tolist()
            cur_s = pick(CURRENCIES, rng.choice(3, c, p=CURRENCY_W))
            tenths = rng.integers(0, 301, c)
            disc = np.char.add(np.char.add((tenths // 10).astype("U"), "," if fr else "."),
                               (tenths % 10).astype("U1"))
            disc_s = np.where(rng.random(c) < 0.45, disc, "").tolist()
            nps = np.clip(np.round(rng.normal(7.6, 2.0, c)), 0, 10).astype(np.int64)
            nps[~(rng.random(c) < np.where(closed_flag, 0.2, 0.06))] = 11
            nps_s = pick(nps_tab, nps)
            em_s = pick(bools, (rng.random(c) >= 0.4).astype(np.int64))
            step = rng.integers(0, len(NEXT_STEPS), c)
            has = rng.random(c) < 0.35
            ml = rng.random(c) < a.multiline_rate
            step = np.where(ml, step + 10, np.where(has, step, 20))
            ns_s = pick(steps_all, step)
            cols = [opp_s, acc_s, accn_s, owner_s, reg_s, ch_s, prod_s, stage_s, created_s,
                    closed_s, amt_s, cur_s, disc_s, prob_s, nps_s, em_s, ns_s]
            f.write((eol.join(map(d.join, zip(*cols))) + eol).encode())
            done += c
    return 0


if __name__ == "__main__":
    sys.exit(main())
