"""The metrics reported per firm and period, with their units.

Each is an attribute of the :class:`~sim.agents.Firm` agent, refreshed when
the period's accounts close, and collected by Mesa's ``DataCollector``.
Rates whose base is empty (a firm with no customers) are reported as 0.
"""

FIRM_METRICS: dict[str, str] = {
    "customers": "customers whose main supplier the firm is, at period end",
    "served": "the firm's customers at the start of the period (those who bought from it as main supplier)",
    "market_share": "firm revenue / all firms' revenue (value share)",
    "acquisitions": "customers won this period (from prospects or competitors)",
    "defections": "customers lost this period",
    "retention_rate": "1 - defections / served",
    "mean_satisfaction": "mean satisfaction score of served customers, in (0, 1); 0.5 = expectations met",
    "share_dissatisfied": "share of served customers dissatisfied (after complaint recovery)",
    "share_satisfied": "share of served customers satisfied",
    "share_delighted": "share of served customers delighted",
    "wom_positive": "customers who heard the firm praised this period",
    "wom_negative": "customers who heard a warning about the firm this period",
    "share_of_customer": "share of its customers' category spending the firm gets",
    "units": "units sold (to its own and other firms' customers)",
    "revenue": "price x units (CU)",
    "cost_of_goods": "unit cost x units (CU)",
    "relationship_cost": "cost of the relationship levels for its served customers (CU)",
    "quality_spending": "quality investment (CU)",
    "acquisition_spending": "advertising and acquisition spending (CU)",
    "fixed_cost": "overhead (CU)",
    "costs": "sum of the five costs above (CU)",
    "margin": "contribution margin: revenue - cost of goods - relationship cost (CU)",
    "profit": "revenue - costs (CU)",
    "discounted_profit": "cumulative profit discounted to period 0 (CU)",
    "clv_realised": "margins since acquisition discounted to it, per customer ever acquired (CU)",
    "clv_expected": "mean over served customers of m / (1 + d - r), m their margin, r their chance of staying (CU)",
    "new_customer_value": "expected value m / (1 + d - r) of a newly won customer: the mean over customers "
                          "in their first period (CU); what acquisition is worth",
    "customer_equity": "expected discounted margin of all purchases the firm will get, from its own and other "
                       "firms' customers, at period end (CU)",
    "mean_expectation": "mean expected benefit of the firm among customers aware of it (value units)",
    "mean_image": "mean image shift of the firm from word of mouth among customers aware of it (value units)",
    "quality": "quality (product value, value units)",
    "price": "price per unit (CU)",
    "promise": "promised benefit as a multiple of delivered benefit",
    "relationship_level": "mean relationship level index of served customers (0 basic .. 4 partnership)",
    "awareness": "share of the market aware of the firm",
}
