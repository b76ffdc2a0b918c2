"""Build scenarios/uzbekistan.xlsx: the 14 first-level regions of Uzbekistan, 2026-2035.

Facts (population, area, GRP, borders, road skeleton) are read from ``../shared/data`` beside
the repository (``uz_regions.csv``, ``uz_road_links_derived.csv``; their sources are in
``SOURCES.md`` there and in ``DOMAIN.md`` sections C and D). Everything else (project costs,
impacts, budgets, partner caps, goal targets) is illustrative and derived by the explicit rules
below; every number lands on the workbook's **Sources** sheet with its source or its derivation.

Units: money in million US dollars (costs, budgets, partner caps, GRP per year); jobs in
thousands; accessibility in persons reachable per hour of travel (Hansen, power decay 1.0).

The output is deterministic (no dates, no randomness): the committed workbook must equal what
this script writes (``tests/test_bundled_scenarios.py`` compares cell values).

Run: python scenarios/build_uzbekistan.py [TARGET.xlsx]
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the scenarios folder holds the shared writer

from sheets import main, write_sheets  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# ---------------------------------------------------------------------------------------------
# Assumptions (each one is written to the Sources sheet with its status)
# ---------------------------------------------------------------------------------------------
START_YEAR, HORIZON = 2026, 10
YEARS = list(range(START_YEAR, START_YEAR + HORIZON))
# National levels (the base year is 2025, the last year before the horizon). DOMAIN.md D.3:
GDP_2025_TRN_UZS = 1849.7          # sourced: 2025 preliminary GDP, National Statistics Committee via Sputnik
GDP_2024_BN_USD = 121.4            # sourced: 2024 GDP after the SNA-2008 revision, via fergana.media / SIAT
GDP_PER_HEAD_2024_M_UZS = 41.3     # sourced: 2024 GDP per head, same release
GDP_JAN_SEP_2021_BN_UZS = 519_825.1  # sourced: stat.uz, national GDP Jan-Sep 2021 (regions: 457.3 trn)
# Employment: no statistics-agency figure in shared/data; a ministry figure reported in the press, as the
# order of magnitude (illustrative): 14.21 million employed on 1 July 2024, of them 1.9 million abroad.
EMPLOYED_2024_M = 14.21
ABROAD_2024_M = 1.9
EMPLOYMENT_SOURCE = ("Ministry of Employment and Poverty Reduction, 1 July 2024, via UzDaily 1 Nov 2024 "
                     "(https://uzdaily.ru/ru/okolo-2-mln-grazhdan-uzbekistana-rabotaiut-za-rubezhom); not in "
                     "shared/data and not a statistics-agency figure")
DISCOUNT_RATE = 0.05               # sourced: EC benchmark social discount rate (DOMAIN C.3)
DECAY = 1.0                        # sourced: Graham, Gibbons & Martin 2009, manufacturing
ELASTICITY = 0.04                  # sourced: Graham, Gibbons & Martin 2009, all sectors
STRONG_ELASTICITY = 0.071          # sourced: World Bank, developing-country mean (DOMAIN C.1)
ESCALATION = 0.03                  # illustrative: construction prices rising 3% a year in USD (a variant)
LOAN = (0.03, 5, 20)               # illustrative: interest, grace years, yearly repayments (a variant)

# Budgets as shares of the base-year GRP level (sum of the 14 regions), per year: about 425 million USD a
# year for these programmes (the money of the earlier 2021-based scenario, now a third of a percent of GRP).
BUDGET_SHARE = {
    "state_budget": 0.0013,         # regional-development part of state capital spending
    "reconstruction_fund": 0.0006,  # Fund for Reconstruction and Development, these programmes
    "regional_budgets": 0.0006,     # each region: this share of its own GRP
    "dev_bank": 0.0008,             # ADB/EBRD/AIIB/IsDB co-financing envelope
}
CARRY_OVER = {"state_budget": "no", "regional_budgets": "yes", "reconstruction_fund": "yes",
              "dev_bank": "yes"}
FUND_NOTE = {
    "state_budget": "State budget capital spending on regional development (annual appropriation, "
                    "unspent money lapses)",
    "regional_budgets": "Budgets of the 14 regions (each region pays only for its own projects and its "
                        "share of joint ones; unspent money stays available)",
    "reconstruction_fund": "Fund for Reconstruction and Development of Uzbekistan (pooled, money stays "
                           "available)",
    "dev_bank": "International development-bank co-financing (ADB, EBRD, AIIB, IsDB; pooled envelope, "
                "undisbursed money stays available); only projects whose funds column lists it",
}

# Where the map draws the Kokand junction (the city of Kokand, approximately; not in the shared data).
KOKAND = (40.53, 70.94)

# Partner caps, million USD per year the partner can put into joint cross-border projects.
PARTNERS = [
    ("KAZ", "Kazakhstan", 30), ("KGZ", "Kyrgyzstan", 8), ("TJK", "Tajikistan", 8),
    ("TKM", "Turkmenistan", 10), ("AFG", "Afghanistan", 3),
]

# Zones after the six broad geographic regions of USIP (DOMAIN.md D.4; a suggestion, not official).
GROUPS = {
    "andijan": "fergana_valley", "namangan": "fergana_valley", "fergana": "fergana_valley",
    "tashkent_city": "capital", "tashkent_region": "capital",
    "syrdarya": "mirzachul", "jizzakh": "mirzachul",
    "samarkand": "zarafshan", "navoi": "zarafshan", "bukhara": "zarafshan",
    "kashkadarya": "south", "surkhandarya": "south",
    "karakalpakstan": "lower_amu_darya", "khorezm": "lower_amu_darya",
}
# Low-development group of Surkova (2012), DOMAIN.md D.3: the disparity indicator counts their jobs.
LAGGING = ("karakalpakstan", "khorezm", "namangan", "syrdarya", "surkhandarya")

# Road cost and speed anchors (DOMAIN.md C.4 and E.15).
COST_2LANE = 1.3        # sourced: CAREC A380, US$170.5 m / 131 km
COST_4LANE = 2.6        # illustrative: twice the 2-lane rebuild (two carriageways)
COST_MOUNTAIN = 2.0     # illustrative: mountain pass rehabilitation (Kamchik), 1.5 x 2-lane
COST_TUNNEL = 3.0       # illustrative: pass with second tunnel and climbing lanes
COST_URBAN = 8.0        # illustrative: urban expressway with interchanges
SPEED_2LANE = 75        # illustrative within the 45-80 km/h road range (DOMAIN.md E.15)
SPEED_4LANE = 90        # illustrative: expressway
NEW_ROAD_CIRCUITY = 1.2  # derived: circuity used for the skeleton's links (1.12-1.37)
NEW_ROAD_SPEED = 70     # illustrative

# Sector coefficients (illustrative): GRP (million USD per year) and jobs (thousand) per million
# USD of cost. GRP 0.2-0.4 per dollar matches an incremental capital-output ratio of about 3-4;
# jobs follow typical capital cost per job (textiles ~25k USD, mining ~200k USD).
SECTORS = {
    "textile": (0.30, 0.040, "light industry, ~25k USD per job"),
    "agro": (0.25, 0.030, "agro-processing, ~33k USD per job"),
    "cold_chain": (0.20, 0.015, "agro logistics, ~67k USD per job"),
    "mining": (0.30, 0.005, "mining-metallurgy, ~200k USD per job"),
    "industry": (0.28, 0.025, "manufacturing parks and zones, ~40k USD per job"),
    "it": (0.40, 0.040, "IT services, ~25k USD per job"),
    "data_centre": (0.15, 0.003, "digital infrastructure, ~330k USD per job"),
    "logistics": (0.22, 0.015, "trade and logistics terminals, ~67k USD per job"),
    "tourism": (0.20, 0.035, "tourism, ~29k USD per job"),
    "irrigation": (0.15, 0.020, "irrigation and drainage raise farm output, ~50k USD per job"),
    "water": (0.05, 0.004, "drinking water and flood protection (mainly social benefit)"),
    "training": (0.05, 0.004, "colleges and laboratories (value comes through their cluster)"),
    "services": (0.20, 0.012, "industrial services, ~83k USD per job"),
    "sme": (0.15, 0.050, "small-business credit lines and handicrafts, ~20k USD per job"),
    "utility": (0.05, 0.002, "power and water supply for industry"),
}
# Construction spending is rarely even (illustrative S-curves: slow start with design and mobilisation, a peak,
# a completion tail): projects of 3 years and more, and 2-year projects of 100 million USD or more.
PROFILES = {2: (0.4, 0.6), 3: (0.2, 0.5, 0.3), 4: (0.15, 0.35, 0.35, 0.15), 5: (0.1, 0.2, 0.3, 0.25, 0.15)}
LARGE = 100
# Running costs a year once complete, as a share of the cost (illustrative orders of magnitude, not in
# shared/data): road maintenance (routine and periodic, 1-3% of the asset value a year for paved roads),
# the public infrastructure of clusters (power and water supply, irrigation, the data centre's power and
# staff, the colleges', academies' and laboratories' staff). Plants, parks and programmes are run by their
# operators or end when disbursed: no public running cost. Paid from recurrent budgets, never by the banks.
ROAD_MAINTENANCE = 0.02
CLUSTER_RUNNING = {"utility": 0.02, "irrigation": 0.02, "data_centre": 0.05, "training": 0.06}
RECURRENT = "state_budget, regional_budgets"
# A project already under way (started in 2025, before the horizon): its 2025 spending is sunk.
UNDER_WAY = {"m_aral_water": 2025}
# Divisible programmes are funded in one or two real tranches of at least a quarter each.
MIN_TRANCHE, MAX_TRANCHES = 0.25, 2


# Impact ranges for planner robust (illustrative): (low, high) as multiples of the most likely value.
# Appraisals of such projects tend to overstate benefits more often than understate them, so the
# ranges reach further below the value than above it; credit programmes and colleges depend on uptake.
IMPACT_RANGE = (0.5, 1.2)
IMPACT_RANGE_BY_SECTOR = {"sme": (0.4, 1.3), "training": (0.4, 1.3), "mining": (0.6, 1.2), "data_centre": (0.6, 1.2)}
SYNERGY_RANGE = (0.0, 1.0)  # a complete cluster's synergy may not appear at all; the value is the most likely
# Probability that a partner pays its share as agreed (illustrative; Partners.reliability).
RELIABILITY = {"KAZ": 0.95, "KGZ": 0.85, "TJK": 0.85, "TKM": 0.8, "AFG": 0.6}
FACTOR_ELASTICITY = 0.3   # illustrative: regional factor = (GRP per head / national) ** 0.3
FACTOR_CAP = (0.85, 1.25)  # illustrative: Navoi's mining output per head is not the return on new capital
SYNERGY_SHARE = 0.5  # illustrative: a complete cluster adds 50% of its cheapest complete set's impacts

# ---------------------------------------------------------------------------------------------
# Clusters: (cluster, region, role, min_count, existing, note)
# ---------------------------------------------------------------------------------------------
CLUSTERS = [
    ("txt_fergana", "fergana", "anchor", 1, 0, "leading enterprise"),
    ("txt_fergana", "fergana", "finishing", 1, 0, "dyeing and finishing service"),
    ("txt_fergana", "fergana", "training", 1, 0, "research and training"),
    ("txt_fergana", "fergana", "infrastructure", 1, 1, "the Kokand free economic zone exists"),
    ("mm_navoi", "navoi", "anchor", 1, 0, "leading enterprise"),
    ("mm_navoi", "navoi", "research", 1, 0, "research and testing"),
    ("mm_navoi", "navoi", "power", 1, 0, "infrastructure"),
    ("agro_surkhandarya", "surkhandarya", "anchor", 1, 0, "leading enterprise"),
    ("agro_surkhandarya", "surkhandarya", "cold_chain", 1, 0, "service network"),
    ("agro_surkhandarya", "surkhandarya", "irrigation", 1, 0, "infrastructure (raw material supply)"),
    ("it_tashkent", "tashkent_city", "anchor", 1, 0, "leading enterprise (IT Park campus)"),
    ("it_tashkent", "tashkent_city", "training", 2, 0, "two IT academies needed"),
    ("it_tashkent", "tashkent_city", "data_centre", 1, 0, "infrastructure"),
]

# ---------------------------------------------------------------------------------------------
# Projects. Transport rows are generated from the network below; the rest are listed here as
# (id, name, kind, region, cost, duration, sector, cost note, extra columns).
# ---------------------------------------------------------------------------------------------
NO_BANK = "state_budget, regional_budgets, reconstruction_fund"
ALL_FUNDS = "state_budget, regional_budgets, reconstruction_fund, dev_bank"
NATIONAL_BANK = "state_budget, reconstruction_fund, dev_bank"

OTHER_PROJECTS = [
    # --- textile cluster, Fergana
    ("txt_fer_spinning", "Cotton spinning and weaving mill (Fergana)", "cluster", "fergana", 150, 2,
     "textile", "illustrative: mid-size integrated mill", dict(cluster="txt_fergana", role="anchor", funds=NO_BANK)),
    ("txt_fer_garment", "Garment and knitwear plant (Margilan)", "cluster", "fergana", 90, 2,
     "textile", "illustrative", dict(cluster="txt_fergana", role="anchor", funds=NO_BANK)),
    ("txt_fer_dyeing", "Dyeing and finishing centre with waste-water treatment", "cluster", "fergana", 45, 2,
     "textile", "illustrative", dict(cluster="txt_fergana", role="finishing", requires="txt_fer_spinning",
                                     funds=NO_BANK)),
    ("txt_fer_college", "Textile technical college and design centre", "cluster", "fergana", 15, 1,
     "training", "illustrative", dict(cluster="txt_fergana", role="training", funds=NO_BANK)),
    # --- mining-metallurgy cluster, Navoi
    ("mm_nav_copper", "Copper-gold ore processing expansion (Navoi)", "cluster", "navoi", 420, 3,
     "mining", "illustrative", dict(cluster="mm_navoi", role="anchor", requires="mm_nav_power",
                                    excludes="mm_nav_gold", funds=NO_BANK)),
    ("mm_nav_gold", "Gold heap-leach plant (Navoi), alternative use of the same site", "cluster", "navoi", 260, 3,
     "mining", "illustrative", dict(cluster="mm_navoi", role="anchor", requires="mm_nav_power",
                                    excludes="mm_nav_copper", funds=NO_BANK)),
    ("mm_nav_lab", "Mining research and assay laboratory (Navoi mining institute)", "cluster", "navoi", 20, 1,
     "training", "illustrative", dict(cluster="mm_navoi", role="research", funds=NO_BANK)),
    ("mm_nav_power", "Substation and water pipeline for the Navoi industrial zone", "cluster", "navoi", 110, 2,
     "utility", "illustrative", dict(cluster="mm_navoi", role="power", funds=ALL_FUNDS)),
    # --- agro-processing cluster, Surkhandarya
    ("agro_sur_plant", "Fruit and vegetable processing plant (Termez)", "cluster", "surkhandarya", 60, 2,
     "agro", "illustrative", dict(cluster="agro_surkhandarya", role="anchor", funds=NO_BANK)),
    ("agro_sur_cold", "Cold-storage and sorting centre (Surkhandarya)", "cluster", "surkhandarya", 35, 1,
     "cold_chain", "illustrative", dict(cluster="agro_surkhandarya", role="cold_chain",
                                        requires="agro_sur_plant", funds=ALL_FUNDS)),
    ("agro_sur_irrig", "Drip-irrigation modernisation, Sherabad valley", "cluster", "surkhandarya", 80, 3,
     "irrigation", "illustrative; same order as the IsDB US$52.65 m irrigation loan (DOMAIN.md D.6)",
     dict(cluster="agro_surkhandarya", role="irrigation", funds=ALL_FUNDS)),
    # --- IT cluster, Tashkent city
    ("it_tk_park", "IT Park campus expansion (Tashkent)", "cluster", "tashkent_city", 80, 2,
     "it", "illustrative", dict(cluster="it_tashkent", role="anchor", funds=NO_BANK)),
    ("it_tk_academy_a", "IT academy, first campus (Tashkent)", "cluster", "tashkent_city", 15, 1,
     "training", "illustrative", dict(cluster="it_tashkent", role="training", funds=NO_BANK)),
    ("it_tk_academy_b", "IT academy, second campus (Tashkent)", "cluster", "tashkent_city", 18, 1,
     "training", "illustrative", dict(cluster="it_tashkent", role="training", requires="it_tk_academy_a",
                                      funds=NO_BANK)),
    ("it_tk_academy_c", "IT faculty inside a state university (Tashkent)", "cluster", "tashkent_city", 12, 1,
     "training", "illustrative", dict(cluster="it_tashkent", role="training", funds=NO_BANK)),
    ("it_tk_dc", "Tier-III data centre (Tashkent)", "cluster", "tashkent_city", 120, 2,
     "data_centre", "illustrative", dict(cluster="it_tashkent", role="data_centre", funds=ALL_FUNDS)),
    # --- cross-border projects (partner pays partner_share of the cost)
    ("cb_si_icic", "International centre for industrial cooperation 'Central Asia' (Syrdarya-Turkistan)",
     "crossborder", "syrdarya", 140, 3, "industry",
     "illustrative cost; 50/50 split with Kazakhstan as in the sourced ICIC template (DOMAIN.md C.4)",
     dict(partner="KAZ", partner_share=0.5, funds=NO_BANK)),
    ("cb_qr_kaz", "Beyneu-corridor logistics terminal (Karakalpakstan-Kazakhstan)", "crossborder",
     "karakalpakstan", 60, 2, "logistics", "illustrative", dict(partner="KAZ", partner_share=0.3, funds=ALL_FUNDS)),
    ("cb_to_kaz", "Gisht-Kuprik border logistics centre (Tashkent region-Kazakhstan)", "crossborder",
     "tashkent_region", 90, 2, "logistics", "illustrative", dict(partner="KAZ", partner_share=0.3, funds=NO_BANK)),
    ("cb_an_kgz", "Dostlik (Andijan-Osh) cross-border trade zone", "crossborder", "andijan", 50, 2,
     "logistics", "illustrative", dict(partner="KGZ", partner_share=0.3, funds=NO_BANK)),
    ("cb_ng_kgz", "Uchkurgan border market (Namangan-Jalal-Abad)", "crossborder", "namangan", 30, 1,
     "logistics", "illustrative", dict(partner="KGZ", partner_share=0.3, funds=NO_BANK)),
    ("cb_sa_tjk", "Samarkand-Penjikent border crossing and tourism corridor", "crossborder", "samarkand", 40, 2,
     "tourism", "illustrative", dict(partner="TJK", partner_share=0.3, funds=NO_BANK)),
    ("cb_xo_tkm", "Khorezm-Dashoguz border trade centre", "crossborder", "khorezm", 45, 2,
     "logistics", "illustrative", dict(partner="TKM", partner_share=0.3, funds=NO_BANK)),
    ("cb_su_afg", "Termez international trade centre and cargo terminal (Afghanistan)", "crossborder",
     "surkhandarya", 70, 3, "logistics", "illustrative; low partner share: Afghan co-financing capacity is small",
     dict(partner="AFG", partner_share=0.1, funds=ALL_FUNDS)),
    # --- joint projects of several regions (CostShares)
    ("jt_fv_water", "Fergana valley joint drainage and water-supply programme", "other", "fergana", 150, 3,
     "irrigation", "illustrative", dict(funds=ALL_FUNDS)),
    ("jt_zar_tourism", "Zarafshan heritage tourism ring (Samarkand-Bukhara-Navoi)", "other", "samarkand", 90, 2,
     "tourism", "illustrative", dict(funds=NO_BANK)),
    ("jt_amu_drain", "Lower Amu Darya collector-drainage rehabilitation", "other", "khorezm", 120, 3,
     "irrigation", "illustrative", dict(funds=ALL_FUNDS)),
    ("jt_mirzachul_irrig", "Hungry Steppe irrigation modernisation (Jizzakh and Syrdarya)", "other", "jizzakh",
     75, 3, "irrigation",
     "derived: the IsDB US$52.65 m irrigation loan for Jizzakh and Syrdarya (DOMAIN.md D.6) taken as 70% of cost",
     dict(funds=ALL_FUNDS)),
    # --- mandatory projects
    ("m_aral_water", "Drinking-water supply for the Aral-sea districts (Muynak, Kungrad)", "other",
     "karakalpakstan", 90, 2, "water", "illustrative",
     dict(mandatory="yes", latest_start=2027, funds=NATIONAL_BANK)),
    ("m_ng_mudflow", "Mudflow and flood protection, Chartak and Kosonsoy (Namangan)", "other", "namangan",
     40, 2, "water", "illustrative", dict(mandatory="yes", latest_start=2028, funds=NO_BANK)),
    # --- other regional development projects
    ("sez_jizzakh", "Jizzakh special economic zone, phase 2", "other", "jizzakh", 120, 2, "industry",
     "illustrative; China Development Bank lent US$50 m for the zone (DOMAIN.md D.6)", dict(funds=ALL_FUNDS)),
    ("an_auto", "Automotive components park (Asaka, Andijan)", "other", "andijan", 110, 2, "industry",
     "illustrative", dict(funds=NO_BANK)),
    ("ng_light", "Light-industry park (Namangan)", "other", "namangan", 70, 2, "textile", "illustrative",
     dict(funds=NO_BANK)),
    ("qa_gaschem", "Gas-chemical plant expansion (Shurtan, Kashkadarya)", "other", "kashkadarya", 350, 3,
     "mining", "illustrative", dict(funds=NO_BANK)),
    ("qa_agro", "Grain, cotton and livestock processing programme (Kashkadarya)", "other", "kashkadarya", 90, 2,
     "agro", "illustrative", dict(funds=NO_BANK)),
    ("to_chirchiq", "Chirchiq engineering and chemical industrial park (Tashkent region)", "other",
     "tashkent_region", 150, 2, "industry", "illustrative", dict(funds=NO_BANK)),
    ("bu_textile", "Bukhara cotton-to-garment park", "other", "bukhara", 80, 2, "textile", "illustrative",
     dict(funds=NO_BANK)),
    ("xo_tourism", "Khiva tourism infrastructure (Khorezm)", "other", "khorezm", 60, 2, "tourism",
     "illustrative", dict(funds=NO_BANK)),
    ("kk_agro", "Greenhouse and livestock complexes (Karakalpakstan)", "other", "karakalpakstan", 50, 2, "agro",
     "illustrative", dict(funds=ALL_FUNDS)),
    ("si_agro", "Vegetable processing and storage park (Syrdarya)", "other", "syrdarya", 40, 1, "agro",
     "illustrative", dict(funds=NO_BANK)),
    ("sa_agro", "Horticulture processing programme: juice and dried-fruit plants (Samarkand)", "other",
     "samarkand", 70, 2, "agro", "illustrative", dict(funds=NO_BANK)),
    # --- job-intensive programmes in the low-development regions
    ("su_sme", "Small-business and handicraft credit programme (Surkhandarya)", "other", "surkhandarya", 300, 3,
     "sme", "illustrative", dict(funds=ALL_FUNDS)),
    ("kk_textile", "Cotton-to-yarn and garment workshops programme (Karakalpakstan)", "other", "karakalpakstan",
     250, 3, "textile", "illustrative", dict(funds=ALL_FUNDS)),
    ("xo_agro", "Melon and vegetable processing programme (Khorezm)", "other", "khorezm", 150, 3, "agro",
     "illustrative", dict(funds=NO_BANK)),
    ("ng_sme", "Small-business and handicraft credit programme (Namangan)", "other", "namangan", 200, 3, "sme",
     "illustrative", dict(funds=ALL_FUNDS)),
    ("si_sme", "Small-business credit programme (Syrdarya)", "other", "syrdarya", 100, 3, "sme", "illustrative",
     dict(funds=ALL_FUNDS)),
]

# Programmes of many similar sub-projects (plots of a park, irrigation blocks, tourism sites): they
# may be funded in part and in phases (divisible). Single plants, roads and cluster components may not.
DIVISIBLE = {"jt_fv_water", "jt_zar_tourism", "jt_amu_drain", "jt_mirzachul_irrig", "sez_jizzakh", "an_auto",
             "ng_light", "to_chirchiq", "bu_textile", "xo_tourism", "kk_agro", "si_agro", "sa_agro", "su_sme",
             "kk_textile", "xo_agro", "ng_sme", "si_sme", "qa_agro"}

# Readiness (illustrative pipeline stage): the first year a project can start. A project that is not a
# divisible programme may start within WINDOW years of it (and must be complete by the last year).
READY = {
    "txt_fer_spinning": 2026, "txt_fer_garment": 2027, "txt_fer_dyeing": 2027, "txt_fer_college": 2026,
    "mm_nav_power": 2026, "mm_nav_copper": 2027, "mm_nav_gold": 2027, "mm_nav_lab": 2026,
    "agro_sur_plant": 2026, "agro_sur_cold": 2027, "agro_sur_irrig": 2026,
    "it_tk_park": 2026, "it_tk_academy_a": 2026, "it_tk_academy_b": 2027, "it_tk_academy_c": 2026,
    "it_tk_dc": 2028,
    "cb_si_icic": 2026, "cb_qr_kaz": 2028, "cb_to_kaz": 2027, "cb_an_kgz": 2026, "cb_ng_kgz": 2027,
    "cb_sa_tjk": 2027, "cb_xo_tkm": 2028, "cb_su_afg": 2028, "qa_gaschem": 2028,
    "tr_tk_ring": 2027, "tr_tk_si_4l": 2027, "tr_si_ji": 2026, "tr_ji_sa": 2026, "tr_sa_qa": 2027,
    "tr_qa_su": 2027, "tr_bu_xo": 2026, "tr_xo_kk": 2026, "tr_kamchik_rehab": 2026, "tr_kamchik_tunnel": 2028,
    "tr_fa_an": 2026, "tr_nw_kk_new": 2029,
}
WINDOW = 4

COST_SHARES = {
    "jt_fv_water": [("andijan", 0.35), ("namangan", 0.30), ("fergana", 0.35)],
    "jt_zar_tourism": [("samarkand", 0.45), ("bukhara", 0.40), ("navoi", 0.15)],
    "jt_amu_drain": [("khorezm", 0.5), ("karakalpakstan", 0.5)],
    "jt_mirzachul_irrig": [("jizzakh", 0.5), ("syrdarya", 0.5)],
    "tr_tk_ring": [("tashkent_city", 0.6), ("tashkent_region", 0.4)],
}
COST_SHARE_NOTE = "illustrative: shares follow where the works lie"

# Transport candidates: (id, name, link, option, duration, extra). Options:
#   "2lane": rebuild as 2-lane cement concrete, SPEED_2LANE, COST_2LANE per km
#   "4lane": expressway, SPEED_4LANE, COST_4LANE per km
#   "mountain"/"tunnel": Kamchik pass options; "urban": urban expressway; "new": new link
TRANSPORT = [
    ("tr_tk_ring", "Tashkent Big Ring Road section to Nurafshon (urban expressway)", "tashkent_city-tashkent_region",
     "urban", 3, {}),
    ("tr_tk_si_4l", "Tashkent-Guliston 4-lane expressway (toll)", "tashkent_city-syrdarya", "4lane", 4, {}),
    ("tr_si_ji", "Guliston-Jizzakh road rebuilt as 2-lane concrete", "syrdarya-jizzakh", "2lane", 3, {}),
    ("tr_ji_sa", "Jizzakh-Samarkand road rebuilt as 2-lane concrete", "jizzakh-samarkand", "2lane", 3, {}),
    ("tr_sa_qa", "Samarkand-Karshi road rebuilt as 2-lane concrete", "samarkand-kashkadarya", "2lane", 3, {}),
    ("tr_qa_su", "Karshi-Termez road rebuilt as 2-lane concrete", "kashkadarya-surkhandarya", "2lane", 4, {}),
    ("tr_bu_xo", "Bukhara-Urgench road rebuilt as 2-lane concrete", "bukhara-khorezm", "2lane", 4, {}),
    ("tr_xo_kk", "Urgench-Nukus road rebuilt as 2-lane concrete", "khorezm-karakalpakstan", "2lane", 3, {}),
    ("tr_kamchik_rehab", "Kamchik pass road rehabilitation (Tashkent-Kokand)", "tashkent_city-kokand", "mountain",
     4, dict(excludes="tr_kamchik_tunnel")),
    ("tr_kamchik_tunnel", "Kamchik pass second tunnel and climbing lanes (Tashkent-Kokand)", "tashkent_city-kokand",
     "tunnel", 5, dict(excludes="tr_kamchik_rehab")),
    ("tr_fa_an", "Fergana-Andijan road rebuilt as 2-lane concrete", "fergana-andijan", "2lane", 2, {}),
    ("tr_nw_kk_new", "New Navoi-Uchquduq-Nukus desert road", "navoi-karakalpakstan", "new", 5, {}),
]
# Links whose projects the development banks may co-finance (international corridors, CAREC).
BANK_LINKS = {"tashkent_city-syrdarya", "syrdarya-jizzakh", "jizzakh-samarkand", "samarkand-kashkadarya",
              "kashkadarya-surkhandarya", "bukhara-khorezm", "khorezm-karakalpakstan", "tashkent_city-kokand",
              "navoi-karakalpakstan"}


# ---------------------------------------------------------------------------------------------
# Reading the shared data
# ---------------------------------------------------------------------------------------------
def region_id(name: str) -> str:
    name = name.replace("Republic of ", "").replace("(junction) ", "")
    return name.strip().lower().replace(" ", "_")


def read_data(data: Path) -> tuple[list[dict], list[dict]]:
    regions_csv, links_csv = data / "uz_regions.csv", data / "uz_road_links_derived.csv"
    for f in (regions_csv, links_csv):
        if not f.is_file():
            raise SystemExit(f"build_uzbekistan: {f} not found. The script reads the shared data folder "
                             f"beside the repository ({data}); check it out there first.")
    with regions_csv.open(newline="", encoding="utf-8") as fh:
        regions = list(csv.DictReader(fh))
    with links_csv.open(newline="", encoding="utf-8") as fh:
        links = list(csv.DictReader(fh))
    return regions, links


def national_levels(regions_csv: list[dict]) -> dict[str, float]:
    """The national figures the regional levels are rebased on (each is a Sources row): the exchange rate
    the 2024 statistics imply, 2025 GDP in million USD, and the share of GDP the regions' table covers."""
    pop_2024 = sum(float(r["pop_2024_01_01_thousand"]) for r in regions_csv) * 1000
    pop_2026 = sum(float(r["pop_2026_01_01_thousand"]) for r in regions_csv) * 1000
    mean_pop_2024 = (pop_2024 + (pop_2024 + pop_2026) / 2) / 2
    uzs_per_usd = GDP_PER_HEAD_2024_M_UZS * 1e6 * mean_pop_2024 / (GDP_2024_BN_USD * 1e9)
    grp_2021_sum = sum(float(r["grp_jan_sep_2021_trn_uzs"]) for r in regions_csv)
    return {"mean_pop_2024": mean_pop_2024, "uzs_per_usd": uzs_per_usd,
            "gdp_2025_musd": GDP_2025_TRN_UZS * 1e12 / uzs_per_usd / 1e6, "grp_2021_sum": grp_2021_sum,
            "coverage": grp_2021_sum * 1000 / GDP_JAN_SEP_2021_BN_UZS}


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def accessibility(region_ids: list[str], population: dict[str, float], links: list[tuple]) -> dict[str, float]:
    """A_i = sum_{j != i} pop_j / T_ij on the existing links (as models/families.md, power decay)."""
    nodes = sorted({n for link in links for n in link[1:3]} | set(region_ids))
    dist = {(a, b): (0.0 if a == b else math.inf) for a in nodes for b in nodes}
    for _, a, b, hours in links:
        dist[a, b] = dist[b, a] = min(dist[a, b], hours)
    for k in nodes:
        for i in nodes:
            for j in nodes:
                if dist[i, k] + dist[k, j] < dist[i, j]:
                    dist[i, j] = dist[i, k] + dist[k, j]
    return {i: sum(population[j] * dist[i, j] ** -DECAY for j in region_ids if j != i and dist[i, j] < math.inf)
            for i in region_ids}


# ---------------------------------------------------------------------------------------------
# Building the sheets
# ---------------------------------------------------------------------------------------------
def build_sheets(data: Path = DATA) -> dict[str, list[list]]:
    regions_csv, links_csv = read_data(data)
    src: list[list] = [["item", "value", "unit", "source", "status", "note"]]
    stat_pop = ("Statistics Agency, 1 Jan 2026, via Kazinform (uz_regions.csv pop_2026_01_01_thousand; "
                "DOMAIN.md D.2)")
    stat_grp = ("State Statistics Committee via daryo.uz 27 Nov 2021 and stat.uz (uz_regions.csv "
                "grp_jan_sep_2021_trn_uzs; DOMAIN.md D.3)")

    # ---- regions
    ids = [region_id(r["region"]) for r in regions_csv]
    pop = {i: round(float(r["pop_2026_01_01_thousand"]) * 1000) for i, r in zip(ids, regions_csv)}
    national = national_levels(regions_csv)
    grp_2021 = {i: float(r["grp_jan_sep_2021_trn_uzs"]) for i, r in zip(ids, regions_csv)}
    regional_gdp = national["gdp_2025_musd"] * national["coverage"]
    grp = {i: round(regional_gdp * grp_2021[i] / national["grp_2021_sum"], 1) for i in ids}
    employed = (EMPLOYED_2024_M - ABROAD_2024_M) * 1000
    jobs = {i: round(employed * pop[i] / sum(pop.values()), 1) for i in ids}
    regions = [["region", "name", "population", "group", "borders", "lat", "lon"]]
    for i, r in zip(ids, regions_csv):
        borders = ", ".join(b for b in r["border_countries_iso3"].split(";") if b)
        regions.append([i, r["region"], pop[i], GROUPS[i], borders or None, float(r["cap_lat_geonames"]),
                        float(r["cap_lon_geonames"])])
    for i, r in zip(ids, regions_csv):
        name = r["region"]
        src.append([f"population {i}", pop[i], "persons, 1 Jan 2026", stat_pop, "sourced",
                    f"{r['pop_2026_01_01_thousand']} thousand x 1000 (start of the horizon)"])
        src.append([f"GRP Jan-Sep 2021 {i}", float(r["grp_jan_sep_2021_trn_uzs"]), "trillion UZS, current prices",
                    stat_grp, "sourced", f"{name}: its share of the 14 regions' sum, "
                    f"{grp_2021[i] / national['grp_2021_sum']:.2%}, is the regional share used"])
        src.append([f"GRP {i}", grp[i], "million USD per year", "derived from the national rows below",
                    "derived", f"2025 GDP {national['gdp_2025_musd']:,.0f} million USD x regional coverage "
                    f"{national['coverage']:.4f} x the region's 2021 share; the 2025 level held constant as the "
                    "pre-project baseline"])
        src.append([f"area {i}", float(r["area_km2_statuz_via_wikipedia"]), "km2",
                    "stat.uz figures via Wikipedia 'Regions of Uzbekistan' (DOMAIN.md D.2)", "sourced",
                    "context only; not used by the model"])
        src.append([f"borders {i}", r["border_countries_iso3"].replace(";", ", ") or "none", "ISO 3166 alpha-3",
                    "DOMAIN.md D.4 (uz_regions.csv border_countries_iso3)", "sourced",
                    "Tashkent region, Namangan and Fergana partly from general geography; Tashkent city "
                    "treated as non-border"])
        src.append([f"jobs {i}", jobs[i], "thousand employed", "employed in the country (row below) x the "
                    "region's share of the 1 Jan 2026 population", "illustrative",
                    "no regional employment table in shared/data; the national figure is illustrative too"])
        src.append([f"capital {i}", f"{r['capital']} ({r['cap_lat_geonames']}, {r['cap_lon_geonames']})",
                    "degrees north, east", "GeoNames coordinates of the capital (uz_regions.csv cap_lat_geonames, "
                    "cap_lon_geonames)", "sourced", "Regions.lat / Regions.lon: where the map draws the region"])
    src += [
        ["GDP 2025", GDP_2025_TRN_UZS, "trillion UZS, current prices", "National Statistics Committee via Sputnik, "
         "11 Mar 2026 (DOMAIN.md D.3)", "sourced", "preliminary; +7.7% in real terms; the latest published year"],
        ["GDP 2024", GDP_2024_BN_USD, "billion USD", "statistics agency via fergana.media and the SIAT note on the "
         "SNA-2008 revision (DOMAIN.md D.3)", "sourced", "after the revision for the non-observed economy (from "
         "115 billion); post-revision levels only, none from before it"],
        ["GDP per head 2024", GDP_PER_HEAD_2024_M_UZS, "million UZS", "same release (DOMAIN.md D.3)", "sourced",
         "after the revision"],
        ["mean population 2024", round(national["mean_pop_2024"]), "persons", "1 Jan 2024 and 1 Jan 2026 "
         "populations (uz_regions.csv)", "derived", "mean of 1 Jan 2024 and 1 Jan 2025; 1 Jan 2025 taken as "
         "the midpoint of 1 Jan 2024 and 1 Jan 2026"],
        ["exchange rate 2024", round(national["uzs_per_usd"], 1), "UZS per USD", "derived from the two 2024 "
         "rows above: GDP per head x mean population / GDP in USD", "derived",
         "the rate the statistics agency's own 2024 figures imply (no exchange rate in shared/data); applied to "
         "2025 as well: replace with the Central Bank's 2025 average"],
        ["GDP 2025 in USD", round(national["gdp_2025_musd"]), "million USD", "GDP 2025 / exchange rate 2024",
         "derived", f"{GDP_2025_TRN_UZS} trillion UZS / {national['uzs_per_usd']:,.1f}"],
        ["national GDP Jan-Sep 2021", GDP_JAN_SEP_2021_BN_UZS, "billion UZS", "stat.uz (DOMAIN.md D.3)", "sourced",
         "the 14 regions' table sums to 457.3 trillion of it"],
        ["regional coverage of GDP", round(national["coverage"], 4), "share", "regional sum 457.3 / national "
         "519.8 trillion UZS, Jan-Sep 2021 (DOMAIN.md D.3)", "derived", "the part of GDP that is not allocated "
         "to regions stays unallocated: the 14 regions' GRP sums to this share of 2025 GDP"],
        ["GRP, 14 regions", round(sum(grp.values()), 1), "million USD per year", "the GRP rows above", "derived",
         "2025 levels in USD; the earlier scenario's 57.5 billion (Jan-Sep 2021 x 4/3 at an unsourced rate) is "
         "replaced"],
        ["employed in the country", round(employed, 1), "thousand", EMPLOYMENT_SOURCE, "illustrative",
         f"{EMPLOYED_2024_M} million employed minus {ABROAD_2024_M} million working abroad; replace with the "
         "statistics agency's labour-force figure for 2025"],
        ["groups (zones)", "6 zones", "", "USIP six broad geographic regions, as suggested in DOMAIN.md D.4",
         "derived", "fergana_valley = Andijan, Namangan, Fergana; a suggestion, not an official classification"],
        ["lagging regions", ", ".join(LAGGING), "", "Surkova (2012), Agricultura Tropica et Subtropica 45/1, "
         "low-development group (DOMAIN.md D.3)", "sourced", "the jobs_lagging indicator counts their jobs"],
    ]

    # ---- network
    nodes = [["node", "name", "lat", "lon"], ["kokand", "Kokand junction (Fergana region)", *KOKAND]]
    network = [["link", "from", "to", "time", "existing"]]
    link_rows: list[tuple] = []
    link_km: dict[str, float] = {}
    for r in links_csv:
        a, b = region_id(r["from"]), region_id(r["to"])
        link = f"{a}-{b}"
        hours = float(r["hours"])
        network.append([link, a, b, hours, "yes"])
        link_rows.append((link, a, b, hours))
        link_km[link] = float(r["road_km_derived"])
        src.append([f"link {link}", hours, "hours", "uz_road_links_derived.csv (DERIVED skeleton, "
                    "SOURCES.md; DOMAIN.md D.5)", "derived",
                    f"{r['road_km_derived']} km ({r['basis']}) at {r['assumed_kmh']} km/h"])
    coords = {i: (float(r["cap_lat_geonames"]), float(r["cap_lon_geonames"])) for i, r in zip(ids, regions_csv)}
    new_link = "navoi-karakalpakstan"
    gc = great_circle_km(*coords["navoi"], *coords["karakalpakstan"])
    new_km = round(gc * NEW_ROAD_CIRCUITY)
    new_hours = round(new_km / NEW_ROAD_SPEED, 2)
    network.append([new_link, "navoi", "karakalpakstan", new_hours, "no"])
    link_km[new_link] = new_km
    src.append([f"link {new_link}", new_hours, "hours", "derived from GeoNames capital coordinates "
                "(uz_regions.csv)", "illustrative",
                f"new desert road via Uchquduq (DOMAIN.md D.5 notes the skeleton lacks this short-cut): "
                f"great circle {gc:.0f} km x {NEW_ROAD_CIRCUITY} circuity = {new_km} km at {NEW_ROAD_SPEED} km/h; "
                "exists only once tr_nw_kk_new is built"])
    src.append(["node kokand", "junction", "", "uz_road_links_derived.csv", "sourced",
                "Kokand junction joins the Kamchik pass road to the Fergana valley; it has no population"])
    src.append(["node kokand position", f"{KOKAND[0]}, {KOKAND[1]}", "degrees north, east", "the city of Kokand "
                "(approximately; not in the stored sources)", "illustrative",
                "Nodes.lat / Nodes.lon: where the map draws the junction"])
    acc = {i: round(v) for i, v in accessibility(ids, pop, link_rows).items()}
    for i in ids:
        src.append([f"accessibility {i}", acc[i], "persons per hour", "computed by this script", "derived",
                    "sum over other regions of population / shortest travel time on the existing links "
                    f"(power decay {DECAY}); the planner derives the same figure"])

    # ---- indicators and baseline
    indicators = [
        ["indicator", "unit", "value"],
        ["grp", "million USD per year", 1],
        ["jobs", "thousand jobs", 0],
        ["accessibility", "persons reachable per hour of travel", 0],
        ["jobs_lagging", "thousand jobs in the five low-development regions", 0],
    ]
    src.append(["indicator value grp", 1, "million USD per million USD of GRP", "definition", "derived",
                "GRP is already money; the benefit objective counts it one to one"])
    src.append(["indicator value jobs, accessibility, jobs_lagging", 0, "", "choice", "illustrative",
                "not monetised, to avoid counting GRP twice; they enter through goals"])
    baseline = [["region", "indicator", "value"]]
    for i in ids:
        baseline.append([i, "grp", grp[i]])
    for i in ids:
        baseline.append([i, "jobs", jobs[i]])
    for i in ids:
        baseline.append([i, "accessibility", acc[i]])
    for i in ids:
        baseline.append([i, "jobs_lagging", jobs[i] if i in LAGGING else 0])
    grp_total = round(sum(grp.values()), 1)

    # ---- funds and budgets
    funds = [["fund", "carry_over", "kind", "interest_rate", "grace_years", "repayment_years", "repaid_from"]] + [
        [f, CARRY_OVER[f], "grant", None, None, None, None] for f in BUDGET_SHARE]
    budgets = [["fund", "year", "region", "amount"]]
    for f, share in BUDGET_SHARE.items():
        if f == "regional_budgets":
            for i in ids:
                amount = round(grp[i] * share, 1)
                for y in YEARS:
                    budgets.append([f, y, i, amount])
            src.append([f"budget {f}", share, "share of the region's GRP per year", FUND_NOTE[f], "illustrative",
                        "each region's yearly amount = its GRP x share, rounded to 0.1 million USD"])
        else:
            amount = round(grp_total * share)
            for y in YEARS:
                budgets.append([f, y, None, amount])
            src.append([f"budget {f}", amount, "million USD per year", FUND_NOTE[f], "illustrative",
                        f"{share:.2%} of the base-year GRP sum ({grp_total} million USD), every year 2026-2035; "
                        "state capital budgets are a few % of GDP, only a share goes to these programmes"])
    src.append(["carry_over", ", ".join(f"{f}={v}" for f, v in CARRY_OVER.items()), "", "choice", "illustrative",
                "annual appropriations lapse; fund and loan envelopes carry over"])

    # ---- partners
    partners = [["partner", "name", "max_per_year", "reliability"]] + [[*p, RELIABILITY[p[0]]] for p in PARTNERS]
    for pid, name, cap in PARTNERS:
        src.append([f"partner cap {pid}", cap, "million USD per year", "choice", "illustrative",
                    f"{name}: order of magnitude of what a neighbour co-finances in border projects per year"])
    src.append(["partner_share ceiling", 0.5, "share", "ICIC 'Central Asia' split 50/50 (DOMAIN.md C.4); "
                "Interreg caps programme co-financing at 80% (DOMAIN.md C.3)", "derived",
                "partner shares here are 0.1-0.5"])

    # ---- projects
    header = ["project", "name", "kind", "region", "cost", "duration", "earliest_start", "latest_start",
              "mandatory", "divisible", "requires", "excludes", "funds", "cluster", "role", "link", "new_time",
              "partner", "partner_share", "running_cost", "running_funds", "min_tranche", "max_tranches"]
    projects = [header]
    profiles = [["project", "year_offset", "share"]]
    impacts = [["project", "indicator", "region", "value", "low", "high"]]

    def ranged(value, digits, bounds):
        return [round(value * bounds[0], digits), round(value * bounds[1], digits)]
    project_impacts: dict[str, tuple[float, float]] = {}

    def add_project(pid, name, kind, region, cost, duration, extra, sector=None):
        row = {c: None for c in header}
        row.update(project=pid, name=name, kind=kind, region=region, cost=cost, duration=duration,
                   mandatory="no", divisible="yes" if pid in DIVISIBLE else "no",
                   latest_start=YEARS[-1] - duration)
        row.update(extra)
        if pid in READY and row["mandatory"] != "yes" and pid not in DIVISIBLE:
            row["earliest_start"] = READY[pid]
            row["latest_start"] = min(row["latest_start"], READY[pid] + WINDOW - 1)
        if pid in UNDER_WAY:
            row.update(mandatory="yes", earliest_start=UNDER_WAY[pid], latest_start=UNDER_WAY[pid])
        share = ROAD_MAINTENANCE if kind == "transport" else CLUSTER_RUNNING.get(sector, 0.0) if row["cluster"] else 0.0
        if share:
            row.update(running_cost=round(cost * share, 1), running_funds=RECURRENT)
        if pid in DIVISIBLE:
            row.update(min_tranche=MIN_TRANCHE, max_tranches=MAX_TRANCHES)
        if duration in PROFILES and (duration >= 3 or cost >= LARGE) and kind != "crossborder":
            profiles.extend([pid, k, w] for k, w in enumerate(PROFILES[duration]))
        projects.append([row[c] for c in header])

    def add_impacts(pid, region, cost, sector):
        g, j = SECTORS[sector][0], SECTORS[sector][1]
        shares = COST_SHARES.get(pid, [(region, 1.0)])
        total_grp = total_jobs = 0.0
        for where, share in shares:
            cell = None if len(shares) == 1 else where
            d_grp = round(cost * share * g * factor[where], 2)
            d_jobs = round(cost * share * j / factor[where], 3)
            total_grp, total_jobs = total_grp + d_grp, total_jobs + d_jobs
            bounds = IMPACT_RANGE_BY_SECTOR.get(sector, IMPACT_RANGE)
            impacts.append([pid, "grp", cell, d_grp, *ranged(d_grp, 2, bounds)])
            impacts.append([pid, "jobs", cell, d_jobs, *ranged(d_jobs, 3, bounds)])
            if where in LAGGING:
                impacts.append([pid, "jobs_lagging", cell, d_jobs, *ranged(d_jobs, 3, bounds)])
        project_impacts[pid] = (total_grp, total_jobs)

    # Regional factor: capital is more productive where output per head is high, and a job is cheaper
    # to create where wages (output per head) are low.
    national_per_head = grp_total / sum(pop.values())
    factor = {}
    for i in ids:
        raw = (grp[i] / pop[i] / national_per_head) ** FACTOR_ELASTICITY
        factor[i] = round(min(FACTOR_CAP[1], max(FACTOR_CAP[0], raw)), 3)
    for i in ids:
        src.append([f"regional factor {i}", factor[i], "multiplier", "derived from GRP per head (rows above)",
                    "illustrative", f"(GRP per head / national GRP per head) ^ {FACTOR_ELASTICITY}, kept within "
                    f"{FACTOR_CAP[0]}-{FACTOR_CAP[1]}; GRP impacts x factor, jobs impacts / factor"])

    durations = {p[0]: p[5] for p in OTHER_PROJECTS}
    for pid, name, kind, region, cost, years, sector, note, extra in OTHER_PROJECTS:
        add_project(pid, name, kind, region, cost, years, extra, sector)
        add_impacts(pid, region, cost, sector)
        g, j = SECTORS[sector][:2]
        src.append([f"project {pid}", cost, "million USD", "cost: " + note, "illustrative",
                    f"sector {sector}: impacts grp {g} per year and jobs {j} thousand per million USD of cost, "
                    "times / divided by the regional factor"
                    + (" of each paying region (impacts split by CostShares)" if pid in COST_SHARES else "")
                    + ("; a programme that may be funded in part and in phases" if pid in DIVISIBLE else "")])

    link_hosts = {"tashkent_city-tashkent_region": "tashkent_city", "tashkent_city-kokand": "tashkent_region"}
    current = {link: hours for link, _, _, hours in link_rows}
    for pid, name, link, option, duration, extra in TRANSPORT:
        km = link_km[link]
        a, b = link.split("-")
        host = link_hosts.get(link, a if a != "kokand" else b)
        if option == "new":
            cost, new_time = round(km * COST_2LANE), None
            note = f"{km:.0f} km x US${COST_2LANE} m/km (A380 2-lane anchor); time = the link's time"
        else:
            per_km, speed = {"2lane": (COST_2LANE, SPEED_2LANE), "4lane": (COST_4LANE, SPEED_4LANE),
                             "mountain": (COST_MOUNTAIN, 55), "tunnel": (COST_TUNNEL, 65),
                             "urban": (COST_URBAN, 70)}[option]
            cost, new_time = round(km * per_km), round(km / speed, 2)
            note = (f"{km:.0f} km x US${per_km} m/km; new time = {km:.0f} km at {speed} km/h "
                    f"(now {current[link]} h)")
        funds_col = NATIONAL_BANK if link in BANK_LINKS else "state_budget, reconstruction_fund"
        if link in ("tashkent_city-tashkent_region",) or link.startswith("kokand") or "andijan" in link:
            funds_col = ALL_FUNDS if link in BANK_LINKS else NO_BANK
        row_extra = dict(link=link, new_time=new_time, funds=funds_col)
        row_extra.update(extra)
        add_project(pid, name, "transport", host, cost, duration, row_extra)
        src.append([f"project {pid}", cost, "million USD", "cost: DOMAIN.md C.4 anchors and road rules above",
                    "derived" if option in ("2lane", "new") else "illustrative",
                    note + "; GRP and accessibility effects derived by the planner from the network"])
    src.append(["start windows", f"ready year to ready year + {WINDOW - 1}", "years", "choice", "illustrative",
                "earliest_start = the year a project is ready (design, agreements); latest_start keeps it "
                f"within {WINDOW} years of that and complete by {YEARS[-1]}; divisible programmes may start any "
                "year; mandatory projects have their own deadline"])
    src += [
        ["cost per km, 2-lane rebuild", COST_2LANE, "million USD per km",
         "CAREC Regional Road Project, A380 131 km, US$170.5 m (DOMAIN.md C.4)", "sourced",
         "A380 Kungrad-Daut-Ata 240 km, US$323 m (1.35 per km) agrees"],
        ["cost per km, 4-lane expressway", COST_4LANE, "million USD per km", "twice the 2-lane anchor",
         "illustrative", "two carriageways"],
        ["cost per km, mountain pass rehabilitation", COST_MOUNTAIN, "million USD per km", "choice",
         "illustrative", "Kamchik pass: 1.5 x the 2-lane anchor; new speed 55 km/h (now 45)"],
        ["cost per km, pass tunnel and climbing lanes", COST_TUNNEL, "million USD per km", "choice",
         "illustrative", "Kamchik pass: new speed 65 km/h"],
        ["cost per km, urban expressway", COST_URBAN, "million USD per km", "choice", "illustrative",
         "with interchanges; new speed 70 km/h"],
        ["speed after 2-lane rebuild", SPEED_2LANE, "km/h", "DOMAIN.md C.4/E.15: roads 45-80 km/h, "
         "Tashkent-Bukhara about 80 km/h", "illustrative", "from 60 (55 on the Karshi corridors)"],
        ["speed on an expressway", SPEED_4LANE, "km/h", "choice", "illustrative", ""],
        ["speed on the new desert road", NEW_ROAD_SPEED, "km/h", "choice", "illustrative", ""],
    ]

    # ---- clusters and synergy
    clusters = [["cluster", "region", "role", "min_count", "existing"]]
    for cid, region, role, need, have, _ in CLUSTERS:
        clusters.append([cid, region, role, need, have])
    cost_of = {p[0]: p[4] for p in OTHER_PROJECTS}
    for cid in dict.fromkeys(c[0] for c in CLUSTERS):
        region = next(c[1] for c in CLUSTERS if c[0] == cid)
        cheapest: list[str] = []
        for _, _, role, need, have, _ in (c for c in CLUSTERS if c[0] == cid):
            members = sorted((p for p in OTHER_PROJECTS if p[8].get("cluster") == cid and p[8].get("role") == role),
                             key=lambda p: (p[4], p[0]))
            cheapest += [p[0] for p in members[:max(0, need - have)]]
        s_grp = round(SYNERGY_SHARE * sum(project_impacts[p][0] for p in cheapest), 1)
        s_jobs = round(SYNERGY_SHARE * sum(project_impacts[p][1] for p in cheapest), 2)
        impacts.append([cid, "grp", None, s_grp, *ranged(s_grp, 1, SYNERGY_RANGE)])
        impacts.append([cid, "jobs", None, s_jobs, *ranged(s_jobs, 2, SYNERGY_RANGE)])
        if region in LAGGING:
            impacts.append([cid, "jobs_lagging", None, s_jobs, *ranged(s_jobs, 2, SYNERGY_RANGE)])
        src.append([f"synergy {cid}", s_grp, "million USD per year (grp); jobs in the note", "rule", "illustrative",
                    f"{SYNERGY_SHARE:.0%} of the impacts of the cheapest complete set "
                    f"({', '.join(cheapest)}, {sum(cost_of[p] for p in cheapest)} million USD); "
                    f"jobs {s_jobs} thousand"])
    for cid, _region, role, _need, have, note in CLUSTERS:
        if have:
            src.append([f"cluster {cid} role {role} existing", have, "components", "choice", "illustrative", note])
    for sector, (g, j, note) in SECTORS.items():
        src.append([f"sector {sector}", g, "million USD GRP per year per million USD of cost", "rule",
                    "illustrative", f"jobs {j} thousand per million USD; {note}"])
    src.append(["impact ranges (Impacts.low, Impacts.high)", f"{IMPACT_RANGE[0]}-{IMPACT_RANGE[1]} x value",
                "multiples of the most likely value", "choice", "illustrative",
                "planner robust draws each impact from triangular(low, value, high); benefits of such projects "
                "are more often overstated than understated, so the range reaches further down; "
                + "; ".join(f"{k} {lo}-{hi}" for k, (lo, hi) in IMPACT_RANGE_BY_SECTOR.items())
                + f"; cluster synergy {SYNERGY_RANGE[0]}-{SYNERGY_RANGE[1]} x value (it may not appear at all); "
                "derived transport effects have no range"])
    src.append(["partner reliability (Partners.reliability)", ", ".join(f"{k} {v}" for k, v in RELIABILITY.items()),
                "probability", "choice", "illustrative",
                "probability that the partner pays its share as agreed; where it does not, its projects deliver "
                "none of their impacts (planner robust); lowest for Afghanistan, whose co-financing capacity is small"])
    src.append(["impact rule", "cost x sector coefficient", "", "rule", "illustrative",
                "GRP 0.2-0.4 per dollar = incremental capital-output ratio about 3-4; impacts count every year "
                "from completion"])

    src += [
        ["project costs (plants, parks, programmes)", "see project rows", "million USD", "choice", "illustrative",
         "orders of magnitude for projects of this kind in Central Asia, not appraisals; road costs follow the "
         "per-km anchors instead"],
        ["durations", "1-5", "years", "choice", "illustrative",
         "colleges and laboratories 1 year; plants, parks and terminals 2-3; programmes 2-3; roads 2-5 by length "
         "and terrain"],
        ["cost profiles (CostProfiles)", "; ".join(f"{d} years: " + "/".join(f"{w:.0%}" for w in shares)
                                                    for d, shares in PROFILES.items()), "share of cost per year",
         "choice", "illustrative", f"construction S-curves for projects of 3 years and more and 2-year projects "
         f"of {LARGE} million USD or more (design and mobilisation, peak, completion tail); smaller projects "
         "and cross-border projects (whose partner agreements fix equal yearly contributions) are paid evenly "
         "over their duration"],
        ["running costs (Projects.running_cost)", f"roads {ROAD_MAINTENANCE:.0%} of cost a year; cluster "
         + ", ".join(f"{k} {v:.0%}" for k, v in CLUSTER_RUNNING.items()), "share of cost per year", "choice",
         "illustrative", "not in shared/data: road maintenance (routine and periodic, of the order of 1-3% of "
         "a paved road's value a year), and the public infrastructure of clusters (power and water supply, "
         "irrigation, the data centre's power and staff, colleges' and laboratories' staff); paid in every "
         f"complete year from the recurrent budgets ({RECURRENT}), never by the development banks; plants and "
         "programmes are run by their operators"],
        ["project under way", ", ".join(f"{p} since {y}" for p, y in UNDER_WAY.items()), "start year", "choice",
         "illustrative", "; ".join(
             f"{p} started in {y} (mandatory, earliest = latest start {y}): its spending before {START_YEAR} "
             f"({START_YEAR - y} of its {durations[p]} years) is sunk, the rest is paid from {START_YEAR}, "
             f"complete from {y + durations[p]}"
             for p, y in UNDER_WAY.items())],
        ["tranches of divisible programmes", f"at least {MIN_TRANCHE:.0%}, at most {MAX_TRANCHES}",
         "share per start year, start years", "choice", "illustrative",
         "Projects.min_tranche and max_tranches: one or two real tranches, no slivers of 1-2%"],
        ["fund eligibility (Projects.funds)", "see Projects", "", "choice", "illustrative",
         "dev_bank only for international corridors (CAREC), water, irrigation, small-business credit lines, "
         "cold chains, the Jizzakh zone, power and the data centre, as typical ADB/EBRD/IsDB/AIIB lending; "
         "national roads not from regional budgets"],
        ["partner shares", "0.1-0.5", "share of cost", "choice", "illustrative",
         "0.3 for most cross-border projects; 0.5 for the ICIC (sourced 50/50 template); 0.1 for Afghanistan"],
        ["mandatory projects", "m_aral_water (under way since 2025), m_ng_mudflow by 2028", "start year",
         "choice", "illustrative", "social and safety obligations"],
        ["requires / excludes", "see Projects", "", "choice", "illustrative",
         "a finishing centre needs the mill; a processing plant needs power; a cold store needs its plant; "
         "the second IT campus needs the first; copper and gold plants compete for one site; two options on "
         "one road exclude each other"],
        ["cluster composition", "see Clusters", "", "DOMAIN.md A (leading enterprises, research and training, "
         "service network, infrastructure)", "illustrative", "the IT cluster needs two academies (min_count 2)"],
        ["jobs_lagging baseline", "jobs of the five lagging regions, 0 elsewhere", "thousand jobs", "rule",
         "derived", "impacts of projects in those regions are counted again on jobs_lagging"],
        ["budgets in 2035", "unused", "", "consequence of the horizon", "derived",
         "a project paid in 2035 would be complete only in 2036, after the horizon, so nothing starts then"],
    ]

    # ---- portfolio rules: at least one project hosted in every border region
    portfolio = [["rule", "projects", "kind", "region", "at_least", "at_most"]]
    border = [i for i, r in zip(ids, regions_csv) if r["border_countries_iso3"]]
    for i in border:
        portfolio.append([f"border_{i}", None, None, i, 1, None])
    src.append(["portfolio rules border_*", 1, "projects per region", "policy choice", "illustrative",
                f"at least one project hosted in each of the {len(border)} border regions (every region but "
                "Tashkent city, DOMAIN.md D.4): a border-development programme's quota"])

    cost_shares = [["project", "region", "share"]]
    for pid, shares in COST_SHARES.items():
        for region, share in shares:
            cost_shares.append([pid, region, share])
        src.append([f"cost shares {pid}", ", ".join(f"{r} {s}" for r, s in shares), "shares", "choice",
                    "illustrative", COST_SHARE_NOTE])

    # ---- goals (deliberately more ambitious than the budgets allow)
    fv = [i for i in ids if GROUPS[i] == "fergana_valley"]
    jobs_total = sum(jobs.values())
    lag_jobs = sum(jobs[i] for i in LAGGING)
    goal_specs = [
        # goal, indicator, region, year, target, priority, weight, hard, note
        ("g_jobs_country", "jobs", None, None, round(jobs_total + 45, 1), 1, 1, "no",
         "country: +45 thousand jobs by 2035"),
        ("g_jobs_country_2030", "jobs", None, 2030, round(jobs_total + 20, 1), 1, 1, "no",
         "country: +20 thousand jobs by 2030 (mid-term milestone)"),
        ("g_jobs_fergana_valley", "jobs", "fergana_valley", 2030, round(sum(jobs[i] for i in fv) + 12, 1), 1, 1,
         "no", "Fergana valley: +12 thousand jobs by 2030"),
        ("g_grp_country", "grp", None, None, round(grp_total + 1100, 1), 2, 1, "no",
         f"country: +1,100 million USD GRP per year by 2035 (+{1100 / grp_total:.1%})"),
        ("g_grp_country_2030", "grp", None, 2030, round(grp_total + 500, 1), 2, 1, "no",
         f"country: +500 million USD GRP per year by 2030 (+{500 / grp_total:.1%}; mid-term milestone)"),
        ("g_access_karakalpakstan", "accessibility", "karakalpakstan", None, round(acc["karakalpakstan"] * 1.10), 2, 1,
         "no", "Karakalpakstan: accessibility +10% by 2035"),
        ("g_grp_surkhandarya", "grp", "surkhandarya", None, round(grp["surkhandarya"] + 60, 1), 2, 1, "no",
         "Surkhandarya: +60 million USD GRP per year by 2035"),
        ("g_jobs_lagging", "jobs_lagging", None, None, round(lag_jobs + 80, 1), 2, 1, "no",
         "disparity: +80 thousand jobs in the five low-development regions by 2035"),
    ]
    goals = [["goal", "indicator", "region", "year", "sense", "target", "priority", "weight", "hard"]]
    for gid, ind, region, year, target, prio, weight, hard, note in goal_specs:
        goals.append([gid, ind, region, year, ">=", target, prio, weight, hard])
        src.append([f"goal {gid}", target, next(r[1] for r in indicators if r[0] == ind), "policy choice",
                    "illustrative", note + " (baseline + increment)"])
    src.append(["goal targets", "see Goals", "", "policy choice", "illustrative",
                "priority 1 (jobs) is within reach; the priority-2 targets together are set above what the "
                "budgets can buy, so that the compromise between them shows"])

    settings = [
        ["key", "value"],
        ["name", "Uzbekistan 14 regions, 2026-2035 (illustrative)"],
        ["start_year", START_YEAR],
        ["horizon", HORIZON],
        ["objective", "goals"],
        ["tie_break", "min_cost"],
        ["discount_rate", DISCOUNT_RATE],
        ["decay_function", "power"],
        ["decay", DECAY],
        ["agglomeration_elasticity", ELASTICITY],
        ["output_indicator", "grp"],
        ["accessibility_indicator", "accessibility"],
        ["money_unit", "million USD"],
        ["cost_escalation", 0],
    ]
    src += [
        ["discount_rate", DISCOUNT_RATE, "per year", "EC benchmark social discount rate 5% (Evans in Florio ed.; "
         "DOMAIN.md C.3)", "sourced", ""],
        ["decay", DECAY, "power t^-alpha", "Graham, Gibbons & Martin (2009): about 1.0 for manufacturing "
         "(DOMAIN.md C.1)", "sourced", "services about 1.8"],
        ["agglomeration_elasticity", ELASTICITY, "", "Graham, Gibbons & Martin (2009): 0.04 all sectors "
         "(DOMAIN.md C.1)", "sourced", "developing-country estimates up to about 0.07"],
        ["horizon", f"{START_YEAR}-{YEARS[-1]}", "years", "choice", "illustrative", "10-year programme"],
    ]

    variants = [
        ["variant", "sheet", "where", "column", "set", "multiply"],
        ["budget-cut", "Budgets", None, "amount", None, 0.8],
        ["more-dev-bank", "Budgets", "fund=dev_bank", "amount", None, 1.5],
        ["benefit", "Settings", "key=objective", "value", "benefit", None],
        # The benefit objective makes every goal a constraint; the ambitious soft targets would make
        # it infeasible, so this variant drops them (target 0) and keeps only what money buys.
        ["benefit", "Goals", "hard=no", "target", 0, None],
        ["disparity-first", "Goals", "goal=g_jobs_lagging", "priority", 1, None],
        ["half-partners", "Partners", None, "max_per_year", None, 0.5],
        ["strong-agglomeration", "Settings", "key=agglomeration_elasticity", "value", STRONG_ELASTICITY, None],
        ["escalation", "Settings", "key=cost_escalation", "value", ESCALATION, None],
        ["dev-bank-loans", "Funds", "fund=dev_bank", "kind", "loan", None],
        ["dev-bank-loans", "Funds", "fund=dev_bank", "interest_rate", LOAN[0], None],
        ["dev-bank-loans", "Funds", "fund=dev_bank", "grace_years", LOAN[1], None],
        ["dev-bank-loans", "Funds", "fund=dev_bank", "repayment_years", LOAN[2], None],
        ["dev-bank-loans", "Funds", "fund=dev_bank", "repaid_from", "state_budget", None],
    ]
    src.append(["variants", "Variants sheet", "", "issue 6", "illustrative",
                "budget-cut: all budgets x 0.8; more-dev-bank: dev_bank x 1.5; benefit: maximise discounted GRP "
                "(soft goal targets set to 0); disparity-first: the disparity goal at priority 1; half-partners: "
                "partner caps x 0.5; strong-agglomeration: elasticity 0.071; escalation: costs rise "
                f"{ESCALATION:.0%} a year in USD; dev-bank-loans: the development-bank money is lent at "
                f"{LOAN[0]:.0%}, {LOAN[1]} grace years, {LOAN[2]} yearly repayments from the state budget"])
    src.append(["strong-agglomeration elasticity", STRONG_ELASTICITY, "", "World Bank report on Grover, Lall & "
                "Timmis: unweighted IV-based mean 7.1% for non-high-income countries (DOMAIN.md C.1)", "sourced",
                "used by the strong-agglomeration variant"])

    return {
        "Settings": settings, "Regions": regions, "Indicators": indicators, "Baseline": baseline,
        "Funds": funds, "Budgets": budgets, "Projects": projects, "Impacts": impacts, "Goals": goals,
        "Clusters": clusters, "Network": network, "Nodes": nodes, "Partners": partners,
        "CostShares": cost_shares, "CostProfiles": profiles, "Portfolio": portfolio, "Variants": variants,
        "Sources": src,
    }


def build(target: Path, data: Path = DATA) -> Path:
    return write_sheets(target, build_sheets(data))


if __name__ == "__main__":
    main(build, HERE / "uzbekistan.xlsx")
