-- hub_reassigned: events an unmerge moved to another profile → that profile (the latest move wins).
CREATE OR REPLACE VIEW hub_reassigned AS
SELECT id, max_by(customer_id, assigned_at) AS customer_id
FROM hub_lake
WHERE type = 'customer.reassigned'
GROUP BY id
