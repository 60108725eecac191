#!/usr/bin/env python3
"""Generate the example CRM exports that kpis.toml reads.

    python3 examples/gen_examples.py            # writes examples/data/*.csv
    python3 examples/gen_examples.py --out DIR  # somewhere else
    python3 examples/gen_examples.py --seed 7   # another (still deterministic) data set

Standard library only. Every file gets its own random.Random seeded from
(seed, file name), so the output is byte-for-byte identical on every run and
every platform, and changing one generator does not reshuffle the others.

The data covers 2025-01-01 .. 2026-11-21 (the export was taken on
2026-11-21 at 18:00), so that `kpi run --as-of 2026-11-22` reports on
October 2026 with September 2026 as the previous period, and there are 22
complete months of history for `kpi backfill`.

On purpose, the files carry the mess real CRM exports have:

* opportunities.csv: opportunity_ids exported twice (an early line, then a
  later line with the updated or corrected stage, appended at the end of the
  file), one exact duplicate line, test rows flagged is_test = true (huge
  amounts: they show at once when the filter is forgotten), blank amounts and
  channels, open opportunities with an empty closed_at, whitespace-padded
  owner / region / amount cells;
* accounts.csv: names with commas, double quotes, accents and padding;
* leads.csv: datetimes, blank source or country cells, "new" leads never
  worked, conversions still to come for the latest cohorts;
* email_sends.csv: yes/no flags, a few opens recorded on bounced e-mails
  (privacy proxies prefetch the tracking pixel), a few blank flags;
* tickets.csv: French Excel dialect: ';' separated, decimal comma,
  dd/mm/yyyy HH:MM dates, windows-1252 (with characters that only exist in
  windows-1252, not latin-1: the euro sign and "oe" ligature), CRLF line
  ends, a quoted subject containing ';', open tickets with empty resolved_at;
* survey.csv: multi-line quoted comments, commas and quotes in comments,
  "N/A" and blank csat cells, anonymous answers without customer_id;
* orders.csv: undelivered orders, a padded carrier cell;
* subscriptions.csv: one row per customer per active month, including a few
  customers logged twice in the month they changed plan, and a few pauses;
* ticket_events.csv: a support tool's status-change log, one row per event
  (Opened, Assigned, Waiting on customer, Closed, Reopened), not sorted by
  ticket: the log is written in the order events were exported, by day;
  tickets escalated to another team, closed, reopened and closed again, still
  open at the export; a few exact duplicate rows (the export job retried a
  page) and status cells padded with spaces;
* lead_events.csv: a CRM's lead stage history, one row per stage change
  (Created, Qualified, Proposal, Won or Lost); most leads stop early, some are
  won months after they were created; a few duplicate rows.
"""

import argparse
import calendar
import csv
import datetime as dt
import math
import os

import random

START = dt.date(2025, 1, 1)
END = dt.date(2026, 11, 21)
EXPORT_TS = dt.datetime(2026, 11, 21, 18, 0)
DEFAULT_SEED = 20261122
# A release that broke the CRM sync: more tickets, unhappier survey answers.
RELEASE_INCIDENT = (dt.date(2025, 4, 7), dt.date(2025, 5, 4))

# Demand seasonality (B2B: quiet August and late December, busy spring and autumn).
SEASON = {1: 0.90, 2: 0.97, 3: 1.08, 4: 1.00, 5: 1.02, 6: 1.05,
          7: 0.88, 8: 0.70, 9: 1.06, 10: 1.12, 11: 1.10, 12: 0.85}
WEEKDAY = [1.25, 1.30, 1.28, 1.22, 1.05, 0.18, 0.12]  # Monday .. Sunday


# --------------------------------------------------------------------------- helpers

def days(start=START, end=END):
    d = start
    while d <= end:
        yield d
        d += dt.timedelta(days=1)


def months(start=START, end=END):
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        yield dt.date(y, m, 1)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def month_end(d):
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def trend(d, low=0.85, high=1.20):
    """Linear business growth from `low` at START to `high` at END."""
    t = (d - START).days / (END - START).days
    return low + (high - low) * t


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 30:  # normal approximation, never needed at these volumes
        return max(0, int(round(rng.gauss(lam, math.sqrt(lam)))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def pick(rng, weighted):
    """weighted: dict value -> weight (insertion-ordered, hence deterministic)."""
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def lognormal(rng, median, sigma):
    return median * math.exp(rng.gauss(0.0, sigma))


def work_time(rng, d, start_hour=8, end_hour=18):
    """A datetime on day d, during office hours most of the time."""
    if rng.random() < 0.9:
        minute = rng.randrange(start_hour * 60, end_hour * 60)
    else:
        minute = rng.randrange(0, 24 * 60)
    return dt.datetime(d.year, d.month, d.day) + dt.timedelta(minutes=minute)


def money(x):
    return f"{x:.2f}"


def pad(rng, value, share):
    """Whitespace-pad a cell now and then, as hand-edited exports do."""
    if value and rng.random() < share:
        return rng.choice([" ", "  ", ""]) + value + rng.choice([" ", "  "])
    return value


def write_csv(path, header, rows, delimiter=",", encoding="utf-8", crlf=False):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator="\r\n" if crlf else "\n",
                       quoting=csv.QUOTE_MINIMAL)
        w.writerow(header)
        w.writerows(rows)
    return len(rows)


# --------------------------------------------------------------------------- accounts

REGIONS = {
    "EMEA": {"Germany": ("GmbH", 24), "France": ("SAS", 20), "United Kingdom": ("Ltd", 20),
             "Netherlands": ("B.V.", 10), "Spain": ("S.L.", 9), "Italy": ("S.r.l.", 9),
             "Sweden": ("AB", 8)},
    "NA": {"United States": ("Inc.", 80), "Canada": ("Ltd", 20)},
    "APAC": {"Australia": ("Pty Ltd", 30), "Japan": ("K.K.", 25), "Singapore": ("Pte Ltd", 25),
             "India": ("Pvt Ltd", 20)},
    "LATAM": {"Brazil": ("Ltda", 40), "Mexico": ("S.A. de C.V.", 30), "Chile": ("SpA", 12),
              "Colombia": ("S.A.S.", 10), "Argentina": ("S.A.", 8)},
}
REGION_WEIGHT = {"EMEA": 42, "NA": 30, "APAC": 16, "LATAM": 12}
SEGMENT_WEIGHT = {"SMB": 55, "Mid-Market": 30, "Enterprise": 15}

NAME_A = ["Nord", "Blue", "Apex", "Silver", "Bright", "Alpen", "Cedar", "Harbor", "Nova",
          "Quantum", "Atlas", "Pioneer", "Summit", "Vertex", "Orion", "Lumen", "Kestrel",
          "Granite", "Meridian", "Polar", "Crescent", "Redwood", "Falcon", "Evergreen",
          "Sterling", "Coastal", "Ironbridge", "Sunrise", "Clearwater", "Highland", "Maple",
          "Cobalt", "Juniper", "Beacon", "Northwind", "Riverside", "Oakline", "Tidal"]
NAME_B = ["Logistics", "Foods", "Systems", "Health", "Energy", "Retail", "Analytics",
          "Textiles", "Pharma", "Software", "Capital", "Mobility", "Labs", "Solutions",
          "Manufacturing", "Media", "Consulting", "Robotics", "Telecom", "Construction",
          "Insurance", "Packaging", "Agritech", "Hotels", "Logistik", "Distribution"]
# Real exports always have a few of these.
ODD_NAMES = ["Müller, Schmidt & Partner", "Société Lumière", "São Paulo Alimentos",
             "O'Brien Construction", "Smith, Barnes & Co.", "Tanaka Seiki",
             '"Alpha" Retail Group', "Nordström Fastigheter", "Café del Mar Hospitality",
             "Żabka Logistics", "Ångström Instruments", "Dubois & Fils"]


def make_accounts(seed):
    rng = random.Random(f"{seed}-accounts")
    accounts, used = [], {}
    odd = list(ODD_NAMES)
    for i in range(1, 421):
        region = pick(rng, REGION_WEIGHT)
        country = pick(rng, {c: w for c, (_, w) in REGIONS[region].items()})
        suffix = REGIONS[region][country][0]
        segment = pick(rng, SEGMENT_WEIGHT)
        if odd and rng.random() < 0.04:
            base = odd.pop(0)
        else:
            while True:
                base = f"{rng.choice(NAME_A)} {rng.choice(NAME_B)}"
                if base not in used:
                    break
        used[base] = True
        name = f"{base} {suffix}"
        # Pareto-like weights: a few accounts buy again and again.
        weight = (1.0 / (rng.random() ** 0.55 + 0.02)) * {"SMB": 1.0, "Mid-Market": 1.3,
                                                         "Enterprise": 1.7}[segment]
        accounts.append({"id": f"ACC-{i:04d}", "name": name, "segment": segment,
                         "country": country, "region": region, "weight": weight})
    return accounts


def write_accounts(out, accounts, seed):
    rng = random.Random(f"{seed}-accounts-file")
    rows = []
    for a in accounts:
        segment = a["segment"]
        if rng.random() < 0.01:
            segment = ""  # never filled in by the account manager
        rows.append([a["id"], pad(rng, a["name"], 0.03), segment, a["country"]])
    return write_csv(os.path.join(out, "accounts.csv"),
                     ["account_id", "account_name", "segment", "country"], rows)


# --------------------------------------------------------------------------- opportunities

OWNERS = {  # owner -> (region, first day)
    "Sarah Klein": ("EMEA", START), "Julien Moreau": ("EMEA", START),
    "Emma Lindqvist": ("EMEA", START), "Tom Becker": ("EMEA", dt.date(2025, 9, 1)),
    "Mike Johnson": ("NA", START), "Priya Patel": ("NA", START),
    "Chris Walker": ("NA", dt.date(2025, 4, 14)),
    "Kenji Sato": ("APAC", START), "Olivia Chen": ("APAC", START),
    "Ana Souza": ("LATAM", START), "Diego Ramírez": ("LATAM", dt.date(2026, 2, 2)),
}
OWNER_LEAVES = {"Julien Moreau": dt.date(2026, 6, 30)}
CHANNEL_WEIGHT = {"Inbound": 35, "Outbound": 25, "Partner": 15, "Web": 25}
CHANNEL_WIN = {"Inbound": 0.37, "Outbound": 0.23, "Partner": 0.44, "Web": 0.29}
SEGMENT_WIN = {"SMB": 1.05, "Mid-Market": 1.0, "Enterprise": 0.85}
AMOUNT = {"SMB": (6000, 0.6, 50), "Mid-Market": (25000, 0.55, 100),
          "Enterprise": (90000, 0.6, 500)}
CYCLE = {"SMB": 26, "Mid-Market": 42, "Enterprise": 75}
OPEN_STAGES = ["Prospecting", "Qualified", "Proposal"]


def owner_for(rng, region, d):
    pool = [o for o, (r, first) in OWNERS.items()
            if r == region and first <= d and OWNER_LEAVES.get(o, END) >= d]
    return rng.choice(pool)


def next_workday(d):
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def make_opportunities(seed, accounts):
    rng = random.Random(f"{seed}-opportunities")
    weights = [a["weight"] for a in accounts]
    opps = []
    for d in days():
        lam = 3.0 * trend(d) * SEASON[d.month] * WEEKDAY[d.weekday()]
        for _ in range(poisson(rng, lam)):
            acc = rng.choices(accounts, weights=weights)[0]
            seg = acc["segment"]
            channel = pick(rng, CHANNEL_WEIGHT if seg != "Enterprise" else
                           {"Inbound": 25, "Outbound": 35, "Partner": 30, "Web": 10})
            med, sigma, step = AMOUNT[seg]
            amount = lognormal(rng, med * (1.1 if d.month >= 10 else 1.0), sigma)
            amount = max(step, round(amount / step) * step)
            p_win = CHANNEL_WIN[channel] * SEGMENT_WIN[seg] * (1.08 if d.year == 2026 else 1.0)
            won = rng.random() < p_win
            zombie = rng.random() < 0.035  # never closed, never cleaned up
            cycle = lognormal(rng, CYCLE[seg] * (1.0 if won else 0.7), 0.5 if won else 0.75)
            cycle = max(1, int(round(cycle)))
            closed = next_workday(d + dt.timedelta(days=cycle))
            if zombie or closed > END:
                elapsed = (END - d).days / cycle if not zombie else rng.random() * 0.9
                stage = OPEN_STAGES[min(2, int(elapsed * 3))]
                closed = None
            else:
                stage = "Won" if won else "Lost"
            blank = {"Prospecting": 0.22, "Qualified": 0.07}.get(stage, 0.015)
            opps.append({
                "account_id": acc["id"], "owner": owner_for(rng, acc["region"], d),
                "region": acc["region"], "channel": channel if rng.random() > 0.015 else "",
                "stage": stage, "created_at": d, "closed_at": closed,
                "amount": None if rng.random() < blank else amount, "is_test": False,
            })
    for i, o in enumerate(opps, 1):
        o["id"] = f"OPP-{i:05d}"
    return rng, opps


def fmt_amount(rng, amount):
    if amount is None:
        return ""
    s = f"{amount:.2f}" if rng.random() < 0.8 else f"{amount:.0f}"
    return pad(rng, s, 0.01)


def opp_row(rng, o):
    return [o["id"], o["account_id"], pad(rng, o["owner"], 0.012), pad(rng, o["region"], 0.004),
            o["channel"], o["stage"], o["created_at"].isoformat(),
            o["closed_at"].isoformat() if o["closed_at"] else "",
            fmt_amount(rng, o["amount"]), "true" if o["is_test"] else "false"]


def write_opportunities(out, seed, accounts):
    rng, opps = make_opportunities(seed, accounts)
    # Test rows created by QA in production: is_test = true, absurd amounts.
    tests = []
    for n, (created, closed, stage) in enumerate([
            (dt.date(2025, 3, 3), dt.date(2025, 3, 4), "Won"),
            (dt.date(2025, 11, 12), None, "Proposal"),
            (dt.date(2026, 9, 8), dt.date(2026, 9, 9), "Lost"),
            (dt.date(2026, 10, 6), dt.date(2026, 10, 7), "Won"),
            (dt.date(2026, 10, 20), dt.date(2026, 10, 21), "Won")], 1):
        tests.append({"id": f"OPP-TEST-{n}", "account_id": "ACC-TEST", "owner": "QA Bot",
                      "region": "EMEA", "channel": "Web", "stage": stage, "created_at": created,
                      "closed_at": closed, "amount": 999999.0, "is_test": True})

    # Opportunities exported twice: the early line shows an older state (or a
    # wrong value), the later line, appended at the end of the export, is the
    # truth. Biased towards the last months so that dedup changes the figures
    # of the reported periods.
    def closed_in(stage, y, m):
        return [o for o in opps if o["closed_at"] and o["stage"] == stage and o["amount"]
                and (o["closed_at"].year, o["closed_at"].month) == (y, m)]

    # September and October 2026 (the reported months) get a corrected stage and a
    # corrected amount each, so that forgetting the key changes their figures.
    dup, kinds = [], []
    for y, m in [(2026, 10), (2026, 9)]:
        dup += [rng.choice(closed_in("Won", y, m)), rng.choice(closed_in("Lost", y, m))]
        kinds += ["amount", "stage"]
    chosen = {o["id"] for o in dup}
    closed = [o for o in opps if o["closed_at"] and o["id"] not in chosen]
    recent = [o for o in closed if o["closed_at"] >= dt.date(2026, 8, 1)]
    older = [o for o in closed if o["closed_at"] < dt.date(2026, 8, 1)]
    more = rng.sample(recent, 10) + rng.sample(older, 14)
    dup += more
    kinds += [["open", "open", "stage", "amount"][k % 4] for k in range(len(more))]
    early = {}
    for o, kind in zip(dup, kinds):
        e = dict(o)
        if kind == "open":      # still open in the early line
            e["stage"], e["closed_at"] = "Proposal", None
        elif kind == "stage":   # stage corrected later (entered as Won by mistake, or vice versa)
            e["stage"] = "Won" if o["stage"] == "Lost" else "Lost"
        else:                   # amount corrected later (typo: one zero too many)
            e["amount"] = (o["amount"] or 1000.0) * 10
        early[o["id"]] = e

    all_rows = sorted(opps + tests, key=lambda o: (o["created_at"], o["id"]))
    rows = [opp_row(rng, early.get(o["id"], o)) for o in all_rows]
    exact = rng.choice(older)
    rows.insert(next(i for i, r in enumerate(rows) if r[0] == exact["id"]) + 1, opp_row(rng, exact))
    rows += [opp_row(rng, o) for o in sorted(dup, key=lambda o: o["closed_at"])]
    return write_csv(os.path.join(out, "opportunities.csv"),
                     ["opportunity_id", "account_id", "owner", "region", "channel", "stage",
                      "created_at", "closed_at", "amount", "is_test"], rows)


# --------------------------------------------------------------------------- leads

LEAD_SOURCE = {"Web": 45, "Ads": 25, "Event": 14, "Referral": 16}
LEAD_CONV = {"Web": 0.11, "Ads": 0.065, "Event": 0.14, "Referral": 0.28}
EVENT_MONTHS = {3: 3.0, 6: 2.5, 10: 3.0}  # trade fairs
LEAD_COUNTRY = {"United States": 22, "Germany": 12, "France": 11, "United Kingdom": 10,
                "Canada": 5, "Netherlands": 4, "Spain": 4, "Italy": 3, "Brazil": 6,
                "Mexico": 4, "Australia": 5, "Japan": 3, "Singapore": 3, "India": 5,
                "Chile": 1, "Sweden": 2}


def write_leads(out, seed):
    rng = random.Random(f"{seed}-leads")
    rows, n = [], 0
    for d in days():
        lam = 3.6 * trend(d) * SEASON[d.month] * (0.55 + 0.45 * WEEKDAY[d.weekday()])
        for _ in range(poisson(rng, lam)):
            weights = dict(LEAD_SOURCE)
            weights["Event"] *= EVENT_MONTHS.get(d.month, 0.6)
            source = pick(rng, weights)
            ts = work_time(rng, d, 7, 21) if source in ("Web", "Ads") else work_time(rng, d)
            if ts > EXPORT_TS:
                continue
            n += 1
            conv_at = None
            if rng.random() < LEAD_CONV[source] * (1.06 if d.year == 2026 else 1.0):
                lag = 1 + int(rng.expovariate(1 / 13.0))
                conv = d + dt.timedelta(days=min(lag, 150))
                if conv <= END:
                    status, conv_at = "converted", conv
                else:
                    status = "qualified"
            else:
                age = (END - d).days
                if age < 10:
                    status = "new" if rng.random() < 0.7 else "qualified"
                else:
                    status = pick(rng, {"disqualified": 70, "qualified": 22, "new": 8})
            rows.append([f"LD-{n:06d}", ts.strftime("%Y-%m-%d %H:%M:%S"),
                         source if rng.random() > 0.01 else "", status,
                         conv_at.isoformat() if conv_at else "",
                         pick(rng, LEAD_COUNTRY) if rng.random() > 0.03 else ""])
    return write_csv(os.path.join(out, "leads.csv"),
                     ["lead_id", "created_at", "source", "status", "converted_at", "country"], rows)


# --------------------------------------------------------------------------- e-mail

MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]
PROMOS = ["Webinar: data quality, done right", "Launch: Insights 3.0", "Story: Nova Retail",
          "Summer offer, -20% annual", "Integrations: HubSpot & Pipedrive", "Black Friday",
          "Year in review", "Dashboards & alerts", "Webinar: forecasting 101",
          "Partner programme", "Case study: Atlas", "Price update notice"]
EMAIL_SEGMENT = {"Prospect": 45, "SMB": 30, "Mid-Market": 17, "Enterprise": 8}


def write_email_sends(out, seed):
    rng = random.Random(f"{seed}-email")
    recipients = []
    for i in range(1, 2601):
        recipients.append({"id": f"R-{i:05d}", "segment": pick(rng, EMAIL_SEGMENT),
                           "engaged": rng.betavariate(2.2, 3.0),
                           "bounces": rng.random() < 0.025})
    rows = []
    for k, m in enumerate(months()):
        campaigns = [("NL", f"Newsletter {MONTH_NAMES[m.month - 1][:3]} {m.year}", 5, 195, 0.18, 0.10),
                     ("PR", PROMOS[(k * 5) % len(PROMOS)], 15, 115, 0.26, 0.22)]
        if m.month in (3, 6, 10):
            campaigns.append(("EV", f"Invitation: {MONTH_NAMES[m.month - 1]} trade fair",
                              22, 135, 0.30, 0.12))
        for code, name, day, size, p_click, p_conv in campaigns:
            sent = next_workday(m.replace(day=day))
            if sent > END:
                continue
            size = int(size * trend(sent, 0.9, 1.15))
            cid = f"CMP-{sent:%y%m}-{code}"
            audience = sorted(rng.sample(recipients, size), key=lambda r: r["id"])
            for r in audience:
                delivered = not r["bounces"] and rng.random() > 0.012
                opened = delivered and rng.random() < 0.10 + 0.62 * r["engaged"]
                if not delivered and rng.random() < 0.07:
                    opened = True   # pixel prefetched by a privacy proxy on a bounced address
                clicked = opened and rng.random() < p_click * (0.6 + r["engaged"])
                converted = clicked and rng.random() < p_conv * 2
                flags = ["yes" if x else "no" for x in (delivered, opened, clicked, converted)]
                if rng.random() < 0.004:
                    flags[rng.randrange(2, 4)] = ""  # tracking gap
                rows.append([cid, name, sent.isoformat(), r["id"], *flags, r["segment"]])
    return write_csv(os.path.join(out, "email_sends.csv"),
                     ["campaign_id", "campaign_name", "sent_at", "recipient_id", "delivered",
                      "opened", "clicked", "converted", "segment"], rows)


# --------------------------------------------------------------------------- customers

PLANS = {"Starter": (0.040, 38), "Pro": (0.024, 34), "Business": (0.015, 20),
         "Enterprise": (0.008, 8)}   # monthly churn hazard, share of new customers
UPGRADE = {"Starter": "Pro", "Pro": "Business", "Business": "Enterprise"}
WAREHOUSES = {"Lyon": 34, "Rotterdam": 28, "Leipzig": 23, "Reno": 15}


def plan_mrr(rng, plan):
    if plan == "Starter":
        return rng.choice([49.0, 49.0, 99.0])
    if plan == "Pro":
        return 149.0 * rng.randint(1, 4)
    if plan == "Business":
        return 499.0 * rng.randint(1, 4) * (0.9 if rng.random() < 0.3 else 1.0)
    return float(rng.randrange(2500, 9000, 250))


def make_customers(seed):
    """Monthly activity of customers: list of (month_start, customer, plan, mrr)."""
    rng = random.Random(f"{seed}-customers")
    customers, active, log, n = {}, [], [], 0

    def new_customer():
        nonlocal n
        n += 1
        plan = pick(rng, {p: w for p, (_, w) in PLANS.items()})
        c = {"id": f"CUS-{n:04d}", "plan": plan, "mrr": plan_mrr(rng, plan),
             "happy": rng.gauss(0, 1), "warehouse": pick(rng, WAREHOUSES), "paused": 0}
        customers[c["id"]] = c
        return c

    for _ in range(195):
        active.append(new_customer())
    for m in months():
        if m > START:
            # How many leave: around the expected count (less erratic than independent
            # draws, which give the odd month without any churn); who leaves: weighted
            # by each customer's hazard (unhappy customers on small plans leave first).
            hazards = [PLANS[c["plan"]][0] * math.exp(-0.45 * c["happy"])
                       * (1.3 if m.month == 1 else 1.0) for c in active]   # annual renewals
            expected = sum(hazards)
            k = max(1, int(round(rng.gauss(expected, 0.6 * math.sqrt(expected)))))
            keys = sorted(range(len(active)), key=lambda i: rng.random() ** (1 / hazards[i]))
            leaving = {active[i]["id"] for i in keys[-k:]}
            staying = []
            for c in active:
                if c["id"] in leaving:
                    if rng.random() < 0.08:
                        c["paused"] = rng.randint(1, 3)   # comes back after a pause
                        staying.append(c)
                    continue
                staying.append(c)
            active = staying
            for _ in range(poisson(rng, 8.2 * SEASON[m.month] * trend(m, 0.9, 1.15))):
                active.append(new_customer())
        for c in active:
            if c["paused"]:
                c["paused"] -= 1
                continue
            old = (c["plan"], c["mrr"])
            if c["plan"] in UPGRADE and rng.random() < 0.012:
                c["plan"] = UPGRADE[c["plan"]]
                c["mrr"] = max(c["mrr"] * 1.5, plan_mrr(rng, c["plan"]))
                if rng.random() < 0.4:   # both plans logged in the month of the change
                    log.append((m, c, old[0], old[1]))
            elif rng.random() < 0.01 and c["plan"] != "Starter":
                c["mrr"] = round(c["mrr"] * rng.choice([0.8, 1.2, 1.25]), 0)  # seats changed
            log.append((m, c, c["plan"], c["mrr"]))
    return customers, log


def write_subscriptions(out, log):
    rows = [[c["id"], m.isoformat(), plan, money(mrr)]
            for m, c, plan, mrr in sorted(log, key=lambda x: (x[0], x[1]["id"]))]
    return write_csv(os.path.join(out, "subscriptions.csv"),
                     ["customer_id", "month_start", "plan", "mrr"], rows)


def active_by_month(log):
    by = {}
    for m, c, plan, _ in log:
        by.setdefault(m, {})[c["id"]] = (c, plan)
    return {m: list(v.values()) for m, v in by.items()}


# --------------------------------------------------------------------------- survey

GOOD = ["Great support team, always quick to answer.", "Easy to use, and the reports save me hours.",
        "Love the new dashboards!", "Onboarding was smooth, thanks Sarah.",
        "Reliable, fast, good value for money.", "Does exactly what we need, no more, no less.",
        "The export to Excel is a life saver."]
MIXED = ["Good product, but the pricing is getting steep.", "OK overall. Mobile app needs work.",
         "Works fine, although the \"Forecast\" view is slow on big accounts.",
         "Decent, but we miss a French translation.", "Support is good, documentation less so."]
BAD = ["Too many bugs since the last release, please fix the sync.",
       "Billing errors two months in a row, very frustrating.",
       "Slow, slow, slow. Dashboards take 30 s to load.",
       "We were promised SSO in Q2. Still waiting.",
       "Support tickets stay open for days.\nConsidering alternatives."]


def write_survey(out, seed, by_month):
    rng = random.Random(f"{seed}-survey")
    rows, n = [], 0
    for d in days():
        lam = 3.4 * (0.55 + 0.45 * WEEKDAY[d.weekday()]) * trend(d, 0.9, 1.1)
        pool = by_month[d.replace(day=1)]
        for _ in range(poisson(rng, lam)):
            n += 1
            c, plan = rng.choice(pool)
            lift = 0.45 * (d - START).days / (END - START).days   # slowly improving product
            if RELEASE_INCIDENT[0] <= d <= RELEASE_INCIDENT[1]:
                lift -= 0.3
            raw = 7.95 + lift + 1.5 * c["happy"] + rng.gauss(0, 1.45)
            score = min(10, max(0, int(round(raw))))
            csat = min(5, max(1, int(round(0.9 + score * 0.4 + rng.gauss(0, 0.55)))))
            r = rng.random()
            csat_s = "" if r < 0.10 else "N/A" if r < 0.13 else str(csat)
            score_s = str(score) if rng.random() > 0.02 else ""
            comment = ""
            if rng.random() < 0.35:
                comment = rng.choice(GOOD if score >= 9 else MIXED if score >= 7 else BAD)
            cust = c["id"] if rng.random() > 0.03 else ""   # answered anonymously
            rows.append([f"SR-{n:05d}", d.isoformat(), cust, score_s, csat_s,
                         pad(rng, plan, 0.01), comment])
    return write_csv(os.path.join(out, "survey.csv"),
                     ["response_id", "answered_at", "customer_id", "score", "csat", "plan",
                      "comment"], rows)


# --------------------------------------------------------------------------- orders

CARRIERS = {"DHL": 30, "UPS": 25, "DPD": 20, "GLS": 15, "FedEx": 10}
CARRIER_LATE = {"DHL": 1.0, "UPS": 0.85, "DPD": 1.3, "GLS": 1.5, "FedEx": 0.8}
WAREHOUSE_LATE = {"Lyon": 1.0, "Rotterdam": 0.75, "Leipzig": 1.35, "Reno": 1.0}


def write_orders(out, seed, by_month):
    rng = random.Random(f"{seed}-orders")
    rows, n = [], 0
    for d in days():
        pool = by_month[d.replace(day=1)]
        lam = len(pool) * 0.45 / 30.4 * WEEKDAY[d.weekday()] * (1.15 if d.month in (11, 12) else 1)
        for _ in range(poisson(rng, lam)):
            n += 1
            c, plan = rng.choice(pool)
            wh = c["warehouse"] if rng.random() < 0.85 else pick(rng, WAREHOUSES)
            carrier = "FedEx" if wh == "Reno" and rng.random() < 0.7 else pick(rng, CARRIERS)
            express = rng.random() < 0.2
            promised = d + dt.timedelta(days=2 if express else rng.choice([4, 5, 5, 6]))
            p_late = 0.075 * CARRIER_LATE[carrier] * WAREHOUSE_LATE[wh] * (1.6 if express else 1)
            if d.month == 12 or (d.month == 11 and d.day > 20):
                p_late *= 2.0                                 # peak season
            if wh == "Leipzig" and dt.date(2026, 8, 24) <= d <= dt.date(2026, 9, 18):
                p_late *= 3.0                                 # sorter breakdown
            if rng.random() < p_late:
                delivered = promised + dt.timedelta(days=rng.choice([1, 1, 1, 2, 2, 3, 5]))
            else:
                delivered = promised - dt.timedelta(days=rng.choice([0, 0, 0, 1, 1, 2]))
            delivered = max(delivered, d + dt.timedelta(days=1))
            if delivered > END or rng.random() < 0.003:       # in transit, or lost
                delivered = None
            amount = round(lognormal(rng, 320 if plan in ("Starter", "Pro") else 900, 0.8), 2)
            rows.append([f"SO-{100000 + n}", c["id"], d.isoformat(), promised.isoformat(),
                         delivered.isoformat() if delivered else "", money(amount), wh,
                         pad(rng, carrier, 0.005)])
    return write_csv(os.path.join(out, "orders.csv"),
                     ["order_id", "customer_id", "ordered_at", "promised_at", "delivered_at",
                      "amount", "warehouse", "carrier"], rows)


# --------------------------------------------------------------------------- tickets

PRIORITY = {"Basse": 25, "Normale": 50, "Haute": 18, "Urgente": 7}
SLA = {"Basse": 72.0, "Normale": 24.0, "Haute": 8.0, "Urgente": 4.0}
TEAMS = {"Équipe Technique": 40, "Équipe Facturation": 25, "Équipe Intégration": 20,
         "Grands Comptes": 15}
TEAM_SPEED = {"Équipe Technique": 0.50, "Équipe Facturation": 0.38, "Équipe Intégration": 0.62,
              "Grands Comptes": 0.34}
TICKET_CHANNEL = {"E-mail": 40, "Téléphone": 25, "Chat": 20, "Portail": 15}
SUBJECTS = {
    "Équipe Technique": ["Accès refusé à l'espace client", "Lenteur de l'application",
                         "Erreur 500 sur le tableau de bord", "Réinitialisation du mot de passe",
                         "Problème d'affichage du cœur de rapport", "Notifications non reçues"],
    "Équipe Facturation": ["Problème de facturation", "Demande de remboursement",
                           "Facture de 1 250 € contestée", "Changement de moyen de paiement",
                           "Question sur la facture n° 2026-118", "TVA intracommunautaire erronée"],
    "Équipe Intégration": ["Synchronisation échouée avec le CRM", "Erreur d'intégration API",
                           "Export CSV incomplet; colonnes manquantes", "Webhook en échec",
                           "Import des contacts bloqué"],
    "Grands Comptes": ["Demande de formation pour l'équipe", "Mise à jour des coordonnées",
                       "Révision du contrat cadre", "Escalade : incident récurrent",
                       "Œuvre commune : atelier de paramétrage"],
}


def fr_dt(x):
    return x.strftime("%d/%m/%Y %H:%M")


def fr_num(x):
    s = f"{x:.1f}".rstrip("0").rstrip(".")
    return s.replace(".", ",")


def write_tickets(out, seed):
    rng = random.Random(f"{seed}-tickets")
    rows, n = [], 0
    for d in days():
        lam = 3.0 * trend(d) * (0.8 + 0.2 * SEASON[d.month]) * WEEKDAY[d.weekday()]
        if d.month == 1 and d.day <= 15:
            lam *= 1.4   # invoices of the new year
        incident = RELEASE_INCIDENT[0] <= d <= RELEASE_INCIDENT[1]
        if incident:
            lam *= 1.25
        for _ in range(poisson(rng, lam)):
            prio = pick(rng, PRIORITY)
            team = pick(rng, TEAMS) if not incident else pick(rng, dict(TEAMS, **{
                "Équipe Technique": 60}))
            opened = work_time(rng, d) if prio != "Urgente" else \
                dt.datetime(d.year, d.month, d.day) + dt.timedelta(minutes=rng.randrange(1440))
            if opened > EXPORT_TS:
                continue
            n += 1
            sla = SLA[prio]
            if team == "Grands Comptes":   # premium contracts: tighter SLAs
                sla = {"Urgente": 2.5, "Haute": 6.5, "Normale": 12.0, "Basse": 48.0}[prio]
            speed = TEAM_SPEED[team]
            if team == "Équipe Technique" and dt.date(2026, 9, 1) <= d <= dt.date(2026, 9, 30):
                speed *= 1.5   # two engineers on leave in September 2026
            if incident and team == "Équipe Technique":
                speed *= 1.2
            if dt.date(2025, 11, 1) <= d <= dt.date(2025, 11, 30) and team != "Grands Comptes":
                speed *= 1.15  # migration to the new ticketing tool
            hours = lognormal(rng, sla * speed, 0.85)
            resolved = opened + dt.timedelta(minutes=max(3, int(hours * 60)))
            if resolved > EXPORT_TS or rng.random() < 0.012:   # still open, or forgotten
                resolved = None
            sat = ""
            if resolved and rng.random() < 0.32:
                ok = hours <= sla
                sat = str(pick(rng, {5: 45, 4: 35, 3: 12, 2: 5, 1: 3} if ok else
                                    {5: 10, 4: 20, 3: 30, 2: 25, 1: 15}))
            rows.append([f"T-{n:06d}", fr_dt(opened), fr_dt(resolved) if resolved else "", prio,
                         pick(rng, TICKET_CHANNEL) if rng.random() > 0.02 else "", team,
                         fr_num(sla), sat, rng.choice(SUBJECTS[team])])
    return write_csv(os.path.join(out, "tickets.csv"),
                     ["ticket_id", "opened_at", "resolved_at", "priority", "channel", "team",
                      "sla_hours", "satisfaction", "subject"], rows,
                     delimiter=";", encoding="cp1252", crlf=True)


# --------------------------------------------------------------------------- event logs

TICKET_TEAMS = {"Support L1": 70, "Billing": 18, "Support L2": 12}
ESCALATION = {"Support L1": "Support L2", "Billing": "Support L2", "Support L2": "Engineering",
              "Engineering": "Engineering"}
AGENTS = {"Support L1": ["Ana", "Ben", "Chloé", "Dev"], "Billing": ["Eva", "Femi"],
          "Support L2": ["Gus", "Hana"], "Engineering": ["Ivo", "Jun"]}


def ts(x):
    return x.strftime("%Y-%m-%d %H:%M:%S")


def ticket_history(rng, n, opened):
    """The events of one ticket: (time, status, team, agent, priority)."""
    team = pick(rng, TICKET_TEAMS)
    prio = pick(rng, {"Low": 30, "Normal": 55, "High": 12, "Urgent": 3})
    at = opened
    out = [(at, "Opened", team, "", prio)]
    at += dt.timedelta(minutes=rng.randrange(5, 240))
    agent = rng.choice(AGENTS[team])
    out.append((at, "Assigned", team, agent, prio))
    if rng.random() < 0.18:   # escalated
        team = ESCALATION[team]
        agent = rng.choice(AGENTS[team])
        at += dt.timedelta(hours=lognormal(rng, 6, 0.9))
        out.append((at, "Assigned", team, agent, prio))
    if rng.random() < 0.30:
        at += dt.timedelta(hours=lognormal(rng, 5, 0.8))
        out.append((at, "Waiting on customer", team, agent, prio))
    hours = lognormal(rng, {"Urgent": 4, "High": 10, "Normal": 22, "Low": 40}[prio], 0.9)
    at += dt.timedelta(hours=hours)
    if rng.random() < 0.03:   # forgotten: never closed
        return out
    out.append((at, "Closed", team, agent, prio))
    if rng.random() < 0.09:   # reopened, then closed again, sometimes by another team
        at += dt.timedelta(hours=lognormal(rng, 30, 0.8))
        out.append((at, "Reopened", team, agent, prio))
        if rng.random() < 0.4:
            team = ESCALATION[team]
            agent = rng.choice(AGENTS[team])
        at += dt.timedelta(hours=lognormal(rng, 16, 0.9))
        out.append((at, "Closed", team, agent, prio))
    return out


def write_ticket_events(out, seed):
    rng = random.Random(f"{seed}-ticket_events.csv")
    events = []
    n = 0
    for d in days(dt.date(2025, 6, 1)):
        for _ in range(poisson(rng, 3.0 * SEASON[d.month] * WEEKDAY[d.weekday()] * trend(d))):
            n += 1
            opened = work_time(rng, d)
            for e in ticket_history(rng, n, opened):
                if e[0] <= EXPORT_TS:
                    events.append((e[0], f"TK-{n:05d}") + e[1:])
    events.sort(key=lambda e: (e[0], e[1]))
    rows = []
    for i, (at, ticket, status, team, agent, prio) in enumerate(events, 1):
        status = pad(rng, status, 0.01)
        row = [f"EV-{i:06d}", ticket, ts(at), status, team, agent, prio]
        rows.append(row)
        if rng.random() < 0.003:   # the export job retried a page
            rows.append(list(row))
    return write_csv(os.path.join(out, "ticket_events.csv"),
                     ["event_id", "ticket_id", "event_time", "status", "team", "agent",
                      "priority"], rows)


LEAD_CHANNELS = {"Ads": 30, "Organic": 25, "Referral": 15, "Events": 12, "Outbound": 18}
LEAD_QUALIFY = {"Ads": 0.35, "Organic": 0.42, "Referral": 0.60, "Events": 0.38, "Outbound": 0.30}


def write_lead_events(out, seed):
    rng = random.Random(f"{seed}-lead_events.csv")
    owners = ["Alice Martin", "Bruno Costa", "Chen Wei", "Dana Levi", "Emma Schulz"]
    events = []
    n = 0
    for d in days(dt.date(2025, 3, 1)):
        for _ in range(poisson(rng, 4.6 * SEASON[d.month] * WEEKDAY[d.weekday()] * trend(d))):
            n += 1
            lead = f"LE-{n:05d}"
            channel = pick(rng, LEAD_CHANNELS)
            owner = rng.choice(owners)
            at = work_time(rng, d)
            history = [(at, "Created")]
            if rng.random() < LEAD_QUALIFY[channel]:
                at += dt.timedelta(days=lognormal(rng, 4, 0.8))
                history.append((at, "Qualified"))
                if rng.random() < 0.62:
                    at += dt.timedelta(days=lognormal(rng, 9, 0.7))
                    history.append((at, "Proposal"))
                    if rng.random() < 0.80:
                        at += dt.timedelta(days=lognormal(rng, 12, 0.9))
                        won = rng.random() < (0.62 if channel == "Referral" else 0.52)
                        history.append((at, "Won" if won else "Lost"))
                elif rng.random() < 0.5:
                    at += dt.timedelta(days=lognormal(rng, 20, 0.6))
                    history.append((at, "Lost"))
            for at, stage in history:
                if at <= EXPORT_TS:
                    events.append((at, lead, stage, owner, channel))
    events.sort()
    rows = []
    for at, lead, stage, owner, channel in events:
        row = [lead, ts(at), stage, owner, channel]
        rows.append(row)
        if rng.random() < 0.002:
            rows.append(list(row))
    return write_csv(os.path.join(out, "lead_events.csv"),
                     ["lead_id", "changed_at", "stage", "owner", "channel"], rows)


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "data"))
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    accounts = make_accounts(args.seed)
    customers, log = make_customers(args.seed)
    by_month = active_by_month(log)
    counts = {
        "accounts.csv": write_accounts(args.out, accounts, args.seed),
        "opportunities.csv": write_opportunities(args.out, args.seed, accounts),
        "leads.csv": write_leads(args.out, args.seed),
        "email_sends.csv": write_email_sends(args.out, args.seed),
        "tickets.csv": write_tickets(args.out, args.seed),
        "survey.csv": write_survey(args.out, args.seed, by_month),
        "orders.csv": write_orders(args.out, args.seed, by_month),
        "subscriptions.csv": write_subscriptions(args.out, log),
        "ticket_events.csv": write_ticket_events(args.out, args.seed),
        "lead_events.csv": write_lead_events(args.out, args.seed),
    }
    total = 0
    for name, rows in counts.items():
        size = os.path.getsize(os.path.join(args.out, name))
        total += size
        print(f"{name:20s} {rows:6d} rows {size / 1024:8.1f} KiB")
    print(f"{'total':20s} {'':11s} {total / 1024:8.1f} KiB")


if __name__ == "__main__":
    main()
