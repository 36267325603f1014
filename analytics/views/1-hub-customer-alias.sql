-- hub_customer_alias: every profile id that was merged away → the profile it lives on now.
-- A customer.merged row lists the survivor's whole merge set; a later merge's set contains every earlier
-- one's, so the largest set naming an id holds its final survivor (no recursion, no clock).
CREATE OR REPLACE VIEW hub_customer_alias AS
-- The merge rows are selected before the UNNEST: DuckDB evaluates a lateral UNNEST before a WHERE over it.
WITH merge_rows AS (
  SELECT id, customer_id, related_ids FROM hub_lake WHERE type = 'customer.merged'
),
merges AS (
  SELECT m.id, m.customer_id, r.alias
  FROM merge_rows m
  CROSS JOIN UNNEST(m.related_ids) AS r (alias)
),
sizes AS (
  SELECT id, count(DISTINCT alias) AS n FROM merges GROUP BY id
)
SELECT merges.alias, max_by(merges.customer_id, sizes.n) AS customer_id
FROM merges
JOIN sizes ON sizes.id = merges.id
GROUP BY merges.alias
