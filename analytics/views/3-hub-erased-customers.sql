-- hub_erased_customers: profile ids erased (the customer and every profile merged into it). Their events
-- leave every metric at once; the compaction job then removes the rows from the files.
CREATE OR REPLACE VIEW hub_erased_customers AS
SELECT customer_id FROM hub_lake WHERE type = 'customer.erased'
UNION
SELECT r.alias AS customer_id
FROM (SELECT related_ids FROM hub_lake WHERE type = 'customer.erased') e
CROSS JOIN UNNEST(e.related_ids) AS r (alias)
