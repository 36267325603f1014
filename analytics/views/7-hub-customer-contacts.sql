-- hub_customer_contacts: each customer's first contact (a contact as in channel_mix), over every connector
-- (connector NULL) and per connector (GROUPING SETS: one pass for both). The time of the first contact is the
-- same in every time zone and for every :to after it, so the metrics that need "known by day D" read one row
-- per customer instead of her whole history. Locally the engine keeps it as a table, updated per customer
-- with the snapshot.
CREATE OR REPLACE VIEW hub_customer_contacts AS
SELECT customer_id, connector, min(occurred_at) AS first_contact_at
FROM hub_events
WHERE type IN (
    'message.received', 'email.received', 'call.completed', 'call.missed', 'lead.submitted', 'form.submitted',
    'callback.requested', 'cart.updated', 'order.placed', 'order.paid', 'purchase.completed'
  )
  AND (type <> 'call.missed' OR direction = 'inbound')
GROUP BY GROUPING SETS ((customer_id, connector), (customer_id))
