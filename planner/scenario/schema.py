"""The workbook contract, declared once.

Every sheet, column and setting is declared here with its type, unit, default
and description. The one declaration drives reading and type checks
(:mod:`planner.scenario.tables`), ``planner template`` (drop-downs, README
sheet) and the reference page ``models/workbook.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

CONTRACT_VERSION = 1
#: Longest planning horizon, in years: a longer one builds a model too large to solve.
MAX_HORIZON = 100

ColumnType = Literal["id", "text", "number", "int", "year", "bool", "enum", "ids", "any"]

KINDS = ("cluster", "transport", "crossborder", "other")
OBJECTIVES = ("goals", "benefit", "cost", "maxmin")
INDICATOR_KINDS = ("final", "intermediate", "input")
GOAL_BASES = ("level", "change", "percent")
EQUITY_KINDS = ("per_capita_floor", "max_gap", "max_ratio", "min_share", "max_share", "gini_cap")
DECAY_FUNCTIONS = ("power", "exponential")
TIE_BREAKS = ("min_cost", "max_benefit", "none")
SENSES = (">=", "<=")
FUND_KINDS = ("grant", "loan")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: how to read it and what it means."""

    name: str
    type: ColumnType
    description: str
    required: bool = False
    default: Any = None
    unit: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_maximum: bool = False
    exclusive_minimum: bool = False
    refers: tuple[str, ...] = ()  # "Sheet.column" of the ids this column names, first = the drop-down's list


@dataclass(frozen=True)
class Sheet:
    """One sheet (table) of the workbook."""

    name: str
    description: str
    columns: tuple[Column, ...]
    required: bool = False
    key: tuple[str, ...] = ()  # columns whose values must be unique together

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class Setting:
    """One key of the Settings sheet."""

    key: str
    type: ColumnType
    description: str
    default: Any = None
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    exclusive_maximum: bool = False
    exclusive_minimum: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("name", "text", "Scenario name shown in results.", default=""),
    Setting("start_year", "year", "First year of the planning horizon.", required=True),
    Setting("horizon", "int", "Number of years planned (start_year ... start_year + horizon - 1), "
            f"at most {MAX_HORIZON}; not the last year.", required=True, minimum=1, maximum=MAX_HORIZON),
    Setting("objective", "enum", "What the model optimises: goal programming by priority, "
            "money worth of benefits, the cheapest plan meeting every goal, or the highest "
            "lowest per-capita gain of the output indicator (then benefit).",
            default="goals", choices=OBJECTIVES),
    Setting("discount_rate", "number", "Yearly discount rate for money and benefits (5% = 0.05).",
            default=0.0, minimum=0.0, maximum=1.0, exclusive_maximum=True),
    Setting("tie_break", "enum", "Last stage of the goals objective: cheapest plan, most benefit, "
            "or none.", default="min_cost", choices=TIE_BREAKS),
    Setting("mip_gap", "number", "Relative MIP gap at which the solver stops.", default=1e-4,
            minimum=0.0, maximum=1.0),
    Setting("time_limit", "number", "Seconds the solver may run (blank = no limit).",
            default=None, minimum=0.0),
    Setting("decay_function", "enum", "Distance decay of accessibility: power t^-decay or "
            "exponential e^(-decay*t).", default="power", choices=DECAY_FUNCTIONS),
    Setting("decay", "number", "Decay parameter (alpha for power, beta for exponential).",
            default=1.0, minimum=0.0),
    Setting("agglomeration_elasticity", "number", "Elasticity of output to accessibility "
            "(0.04 in Graham, Gibbons & Martin 2009).", default=0.04, minimum=0.0),
    Setting("output_indicator", "id", "Indicator that transport raises through agglomeration.",
            default="grp"),
    Setting("accessibility_indicator", "id", "Indicator that receives accessibility gains.",
            default="accessibility"),
    Setting("money_unit", "text", "Unit of every money amount (Budgets, Projects.cost, Indicators.value, "
            "partner caps), e.g. 'million USD'; results then show money per person in USD. Blank = "
            "unnamed money units.", default=""),
    Setting("language", "enum", "Language of the results workbook, its Brief and the console summary: en "
            "(English), ru (Russian) or uz (Uzbek, Latin script); ids and the input stay as written. "
            "planner solve --lang overrides it.", default="en", choices=("en", "ru", "uz")),
    Setting("cost_escalation", "number", "Yearly price escalation of costs (3% = 0.03): Projects.cost and "
            "Projects.running_cost are in prices of start_year, and what is paid in year t is multiplied by "
            "(1 + cost_escalation) ^ (t - start_year); budgets are nominal.", default=0.0, minimum=0.0,
            maximum=1.0, exclusive_maximum=True),
    Setting("spread_warning", "number", "Warn when the region that gets most investment per person gets "
            "more than this many times the one that gets least (0 = never warn); Equity rules "
            "(min_share, max_share) bound the spread.", default=10.0, minimum=0.0),
)

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "Settings", "Scenario settings, one key per row.",
        (
            Column("key", "text", "Setting name (see the list of settings).", required=True),
            Column("value", "any", "Setting value (typed by its key).", required=False),
        ),
        required=True, key=("key",),
    ),
    Sheet(
        "Regions", "The regions of the scenario.",
        (
            Column("region", "id", "Region id.", required=True),
            Column("name", "text", "Region name for reports."),
            Column("population", "number", "Inhabitants.", unit="persons", minimum=0.0),
            Column("group", "id", "Optional zone name shared by several regions "
                   "(goals may target a group)."),
            Column("borders", "ids", "Partners (neighbouring countries) the region borders.",
                   default=(), refers=("Partners.partner",)),
            Column("lat", "number", "Latitude of the region's centre or capital, for the map of the results "
                   "(blank = the region is left off the map).", unit="degrees north", minimum=-90.0, maximum=90.0),
            Column("lon", "number", "Longitude of the region's centre or capital, for the map of the results.",
                   unit="degrees east", minimum=-180.0, maximum=180.0),
        ),
        required=True, key=("region",),
    ),
    Sheet(
        "Indicators", "Outcome indicators (GRP, jobs, accessibility, ...).",
        (
            Column("indicator", "id", "Indicator id.", required=True),
            Column("unit", "text", "Unit of the indicator."),
            Column("value", "number", "Money worth of one unit of the indicator per year "
                   "(used by the benefit objective).", default=0.0, unit="money per unit"),
            Column("kind", "enum", "final (GRP, income, jobs), intermediate (accessibility, cluster "
                   "completeness) or input (investment, money); used to warn about unsound goals.",
                   choices=INDICATOR_KINDS),
        ),
        required=True, key=("indicator",),
    ),
    Sheet(
        "Baseline", "Level of each indicator in each region before any project (missing = 0).",
        (
            Column("region", "id", "Region id.", required=True, refers=("Regions.region",)),
            Column("indicator", "id", "Indicator id.", required=True, refers=("Indicators.indicator",)),
            Column("value", "number", "Baseline level.", required=True),
        ),
        key=("region", "indicator"),
    ),
    Sheet(
        "Funds", "Sources of money (national budget, regional budgets, co-financing, ...).",
        (
            Column("fund", "id", "Fund id.", required=True),
            Column("carry_over", "bool", "Whether money unspent in a year stays available later.",
                   default=False),
            Column("kind", "enum", "grant: money to spend; loan: money drawn in a year is repaid in equal "
                   "yearly instalments (an annuity) from the repaid_from fund's budgets.", default="grant",
                   choices=FUND_KINDS),
            Column("interest_rate", "number", "Yearly interest rate of a loan (5% = 0.05).", default=0.0,
                   minimum=0.0, maximum=1.0, exclusive_maximum=True),
            Column("grace_years", "int", "Years after drawing before the first repayment of a loan (interest "
                   "accrues meanwhile).", default=0, unit="years", minimum=0),
            Column("repayment_years", "int", "Number of yearly repayments of a loan (required for a loan).",
                   unit="years", minimum=1),
            Column("repaid_from", "id", "Fund whose budgets pay a loan's repayments (required for a loan; a "
                   "grant fund).", refers=("Funds.fund",)),
        ),
        required=True, key=("fund",),
    ),
    Sheet(
        "Budgets", "Money a fund makes available in a year; blank region = one national pool, "
        "otherwise a separate budget per region. Missing (fund, region, year) = 0. A fund is either "
        "pooled or regional: it cannot have both kinds of rows.",
        (
            Column("fund", "id", "Fund id.", required=True, refers=("Funds.fund",)),
            Column("year", "year", "Year.", required=True),
            Column("region", "id", "Region id (blank = pooled for the whole country).", refers=("Regions.region",)),
            Column("amount", "number", "Money available.", required=True, unit="money",
                   minimum=0.0),
        ),
        required=True, key=("fund", "region", "year"),
    ),
    Sheet(
        "Projects", "Candidate projects.",
        (
            Column("project", "id", "Project id.", required=True),
            Column("name", "text", "Project name for reports."),
            Column("kind", "enum", "Investment family.", required=True, choices=KINDS),
            Column("region", "id", "Host region.", required=True, refers=("Regions.region",)),
            Column("cost", "number", "Total cost in prices of start_year, spread evenly over the duration "
                   "(or as the CostProfiles sheet says).", required=True, unit="money", minimum=0.0),
            Column("duration", "int", "Years of construction and payment.", default=1,
                   unit="years", minimum=1),
            Column("earliest_start", "year", "Earliest start year (blank = start of horizon). A mandatory project "
                   "with earliest_start = latest_start before start_year is already under way: the cost of its "
                   "years before the horizon is sunk."),
            Column("latest_start", "year", "Latest start year (blank = as late as the "
                   "horizon allows)."),
            Column("mandatory", "bool", "Must be carried out.", default=False),
            Column("divisible", "bool", "May be funded in part (the share scales cost and "
                   "impacts alike).", default=False),
            Column("requires", "ids", "Projects that must start no later than this one.",
                   default=(), refers=("Projects.project",)),
            Column("excludes", "ids", "Projects that cannot be chosen together with this one.",
                   default=(), refers=("Projects.project",)),
            Column("funds", "ids", "Funds that may pay for the project (blank = any fund).",
                   default=(), refers=("Funds.fund",)),
            Column("cluster", "id", "Cluster this project is a component of.", refers=("Clusters.cluster",)),
            Column("role", "id", "Component role the project fills in its cluster.", refers=("Clusters.role",)),
            Column("link", "id", "Network link a transport project builds or speeds up.", refers=("Network.link",)),
            Column("new_time", "number", "Link travel time once the project is complete (blank "
                   "for a new link = the link's time).", unit="hours", minimum=0.0,
                   exclusive_minimum=True),
            Column("partner", "id", "Partner (neighbouring country) co-financing the project.",
                   refers=("Partners.partner",)),
            Column("partner_share", "number", "Share of the cost the partner pays.", default=0.0,
                   minimum=0.0, maximum=1.0, exclusive_maximum=True),
            Column("running_cost", "number", "Money a year to run the project once complete (in prices of "
                   "start_year), paid in every complete year inside the horizon.", default=0.0,
                   unit="money per year", minimum=0.0),
            Column("running_funds", "ids", "Funds that may pay the running cost (blank = the funds column).",
                   default=(), refers=("Funds.fund",)),
            Column("min_tranche", "number", "Divisible project: every start year used funds at least this "
                   "share (blank = any share).", minimum=0.0, maximum=1.0, exclusive_minimum=True),
            Column("max_tranches", "int", "Divisible project: at most this many start years (blank = no "
                   "limit).", minimum=1),
        ),
        required=True, key=("project",),
    ),
    Sheet(
        "CostProfiles", "Uneven construction spending: the share of a project's cost paid in each year "
        "after its start. A project listed here pays cost x share in year start + year_offset instead of "
        "cost / duration every year; offsets not listed pay 0; its shares sum to 1.",
        (
            Column("project", "id", "Project id.", required=True, refers=("Projects.project",)),
            Column("year_offset", "int", "Years after the start (0 = the start year ... duration - 1).",
                   required=True, unit="years", minimum=0),
            Column("share", "number", "Share of the project's cost paid in that year.", required=True,
                   minimum=0.0),
        ),
        key=("project", "year_offset"),
    ),
    Sheet(
        "Impacts", "Yearly change of an indicator's level from the first year a project is "
        "complete.",
        (
            Column("project", "id", "Project id.", required=True, refers=("Projects.project", "Clusters.cluster")),
            Column("indicator", "id", "Indicator id.", required=True, refers=("Indicators.indicator",)),
            Column("region", "id", "Region where the effect falls (blank = host region).", refers=("Regions.region",)),
            Column("value", "number", "Change of the indicator's level per year (the most likely value "
                   "when low and high give a range).", required=True),
            Column("low", "number", "Lowest plausible change per year (blank = value: no uncertainty below "
                   "it); planner robust draws the impact from triangular(low, value, high)."),
            Column("high", "number", "Highest plausible change per year (blank = value: no uncertainty "
                   "above it)."),
        ),
    ),
    Sheet(
        "Goals", "Targets on indicator levels.",
        (
            Column("goal", "id", "Goal id.", required=True),
            Column("indicator", "id", "Indicator id.", required=True, refers=("Indicators.indicator",)),
            Column("region", "id", "Region id, group name, or blank for the whole country.",
                   refers=("Regions.region", "Regions.group")),
            Column("year", "year", "Year the target applies to (blank = last year)."),
            Column("sense", "enum", "Whether the level must reach the target or stay below it.",
                   default=">=", choices=SENSES),
            Column("target", "number", "Target: a level, or a change from the baseline (basis).",
                   required=True),
            Column("basis", "enum", "level: the target is the level; change: the level must move by "
                   "target from the baseline; percent: by target % of the baseline.", default="level",
                   choices=GOAL_BASES),
            Column("priority", "int", "1 is the most important.", default=1, minimum=1),
            Column("weight", "number", "Weight within the priority level.", default=1.0,
                   minimum=0.0),
            Column("hard", "bool", "Whether the goal must be met (a constraint).",
                   default=False),
        ),
        key=("goal",),
    ),
    Sheet(
        "Clusters", "Innovation clusters: the component roles each needs before it is complete. "
        "Impacts rows whose project is a cluster id are the cluster's synergy.",
        (
            Column("cluster", "id", "Cluster id.", required=True),
            Column("region", "id", "Region of the cluster (the same on all its rows).", required=True,
                   refers=("Regions.region",)),
            Column("role", "id", "Component role (leading enterprise, research, training, ...).",
                   required=True),
            Column("min_count", "int", "Components of this role the cluster needs.", default=1,
                   minimum=1),
            Column("existing", "int", "Components of this role already present.", default=0,
                   minimum=0),
        ),
        key=("cluster", "role"),
    ),
    Sheet(
        "Network", "Transport links between regions and junctions (two-way).",
        (
            Column("link", "id", "Link id.", required=True),
            Column("from", "id", "Region or node id at one end.", required=True,
                   refers=("Regions.region", "Nodes.node")),
            Column("to", "id", "Region or node id at the other end.", required=True,
                   refers=("Regions.region", "Nodes.node")),
            Column("time", "number", "Travel time.", required=True, unit="hours", minimum=0.0,
                   exclusive_minimum=True),
            Column("existing", "bool", "Whether the link exists today (no = only once a project "
                   "builds it).", default=True),
        ),
        key=("link",),
    ),
    Sheet(
        "Nodes", "Junctions of the network that are not regions.",
        (
            Column("node", "id", "Node id.", required=True),
            Column("name", "text", "Name for reports."),
            Column("lat", "number", "Latitude of the junction, for the map of the results (blank = links to "
                   "it are left off the map).", unit="degrees north", minimum=-90.0, maximum=90.0),
            Column("lon", "number", "Longitude of the junction, for the map of the results.",
                   unit="degrees east", minimum=-180.0, maximum=180.0),
        ),
        key=("node",),
    ),
    Sheet(
        "Partners", "Neighbouring countries (or other partners) that co-finance cross-border projects.",
        (
            Column("partner", "id", "Partner id.", required=True),
            Column("name", "text", "Name for reports."),
            Column("max_per_year", "number", "Money the partner can put in per year (blank = no "
                   "limit).", unit="money", minimum=0.0),
            Column("reliability", "number", "Probability that the partner pays as agreed; where it does not "
                   "(planner robust), the projects it co-finances deliver none of their impacts but are "
                   "still paid for.", default=1.0, minimum=0.0, exclusive_minimum=True, maximum=1.0),
        ),
        key=("partner",),
    ),
    Sheet(
        "CostShares", "Joint projects: how several regions split a project's own cost.",
        (
            Column("project", "id", "Project id.", required=True, refers=("Projects.project",)),
            Column("region", "id", "Paying region.", required=True, refers=("Regions.region",)),
            Column("share", "number", "Share of the project's own cost this region pays.",
                   required=True, minimum=0.0),
        ),
        key=("project", "region"),
    ),
    Sheet(
        "Equity", "Fairness rules between regions: floors, gaps, ratios, investment shares, Gini caps.",
        (
            Column("rule", "id", "Rule id.", required=True),
            Column("indicator", "id", "Indicator whose per-capita levels the rule compares "
                   "(not used by min_share / max_share).", refers=("Indicators.indicator",)),
            Column("kind", "enum", "per_capita_floor: level per inhabitant >= value; max_gap: highest "
                   "minus lowest per-capita level <= value; max_ratio: highest <= value x lowest; "
                   "min_share / max_share: share of own investment over the horizon; gini_cap: "
                   "population-weighted Gini of per-capita levels <= value.",
                   required=True, choices=EQUITY_KINDS),
            Column("value", "number", "Bound of the rule.", required=True, minimum=0.0),
            Column("year", "year", "Year the rule applies to (blank = last year)."),
            Column("regions", "ids", "Regions and groups the rule covers (blank = all regions).",
                   default=(), refers=("Regions.region", "Regions.group")),
            Column("hard", "bool", "Whether the rule must hold (a constraint); otherwise a soft goal.",
                   default=False),
            Column("priority", "int", "Priority of a soft rule among the goals (1 first).", default=1,
                   minimum=1),
            Column("weight", "number", "Weight of a soft rule within its priority.", default=1.0,
                   minimum=0.0),
        ),
        key=("rule",),
    ),
    Sheet(
        "Portfolio", "Portfolio rules: at_least <= number of matched projects in the plan <= at_most (a "
        "divisible project counts its share). Matched: the listed projects (blank = all) of the kind and host "
        "region given (blank = any).",
        (
            Column("rule", "id", "Rule id.", required=True),
            Column("projects", "ids", "Projects the rule counts (blank = all that match kind and region).",
                   default=(), refers=("Projects.project",)),
            Column("kind", "enum", "Only projects of this kind (blank = any).", choices=KINDS),
            Column("region", "id", "Only projects hosted in this region or group (blank = any).",
                   refers=("Regions.region", "Regions.group")),
            Column("at_least", "number", "Fewest matched projects in the plan.", minimum=0.0),
            Column("at_most", "number", "Most matched projects in the plan.", minimum=0.0),
        ),
        key=("rule",),
    ),
    Sheet(
        "Variants", "Named changes to the base scenario; each row changes one column on the rows of "
        "a sheet that match `where`. `planner solve FILE --variant NAME` solves one variant.",
        (
            Column("variant", "id", "Variant name.", required=True),
            Column("sheet", "text", "Sheet to change.", required=True),
            Column("where", "text", "Rows to change: column=value pairs separated by ; (blank = all rows)."),
            Column("column", "text", "Column to change.", required=True),
            Column("set", "any", "New value (leave blank to multiply)."),
            Column("multiply", "number", "Factor to multiply the column by (leave blank to set)."),
        ),
    ),
)

def describe_type(column: Column | Setting) -> str:
    """The type of a column or setting in words, for the template and the reference page."""
    if column.choices:
        return "one of: " + ", ".join(column.choices)
    words = {"id": "id (text)", "ids": "comma-separated ids", "bool": "yes/no", "any": "depends on key"}.get(
        column.type, column.type)
    refers = getattr(column, "refers", ())
    return f"{words} of {' or '.join(refers)}" if refers else words


def describe_default(default: Any) -> str:
    """A default value as a planner would type it."""
    if default is None or default == () or default == "":
        return ""
    if isinstance(default, bool):
        return "yes" if default else "no"
    return str(default)


SHEETS_BY_NAME: dict[str, Sheet] = {s.name.lower(): s for s in SHEETS}
SETTINGS_BY_KEY: dict[str, Setting] = {s.key: s for s in SETTINGS}
