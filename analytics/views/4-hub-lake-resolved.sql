-- hub_lake_resolved: every lake row with the customer it belongs to now (resolved_customer_id: the profile
-- it was applied to, moved by an unmerge, then followed to its merge survivor) and whether that customer
-- was erased. The metrics read hub_events; the compaction job keeps the rows where
-- NOT erased OR type = 'customer.erased' (the erasure records themselves stay).
CREATE OR REPLACE VIEW hub_lake_resolved AS
SELECT
  e.*,
  coalesce(a.customer_id, r.customer_id, e.customer_id) AS resolved_customer_id,
  x.customer_id IS NOT NULL AS erased
FROM hub_lake e
LEFT JOIN hub_reassigned r ON r.id = e.id
LEFT JOIN hub_customer_alias a ON a.alias = coalesce(r.customer_id, e.customer_id)
LEFT JOIN hub_erased_customers x ON x.customer_id = coalesce(a.customer_id, r.customer_id, e.customer_id)
