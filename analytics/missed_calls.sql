-- missed_calls: missed-call rate and callback-within-SLA rate.
-- inbound_calls = inbound calls (answered or missed); missed_calls = inbound calls nobody answered;
-- missed_rate = missed_calls / inbound_calls. callbacks_needed = missed inbound calls + callback requests;
-- called_back_within_sla = those followed, within :sla_minutes, by a callback: the customer's next call
-- that is outbound (answered or not: the business called) or answered (she got through);
-- callback_rate = called_back_within_sla / callbacks_needed. Calls after :to count as callbacks. :connector
-- keeps the calls and requests it reported (a callback may come through any connector).
WITH calls AS (
  SELECT
    id,
    min(type) AS type,
    min(direction) AS direction,
    min(customer_id) AS customer_id,
    min(connector) AS connector,
    min(occurred_at) AS called_at
  FROM hub_events
  WHERE type IN ('call.completed', 'call.missed', 'callback.requested') AND dt >= :from_dt
  GROUP BY id
),
marked AS (
  SELECT
    id, type, direction, customer_id, connector, called_at,
    CASE WHEN (type = 'call.missed' AND direction = 'inbound') OR type = 'callback.requested' THEN 1 ELSE 0 END
      AS needs_callback,
    CASE WHEN type = 'call.completed' OR (type = 'call.missed' AND direction = 'outbound') THEN 1 ELSE 0 END
      AS is_callback
  FROM calls
),
followed AS (
  SELECT
    *,
    min(CASE WHEN is_callback = 1 THEN called_at END) OVER (
      PARTITION BY customer_id ORDER BY called_at, id ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING
    ) AS callback_at
  FROM marked
)
SELECT
  CAST(date_trunc(:granularity, at_timezone(with_timezone(called_at, 'UTC'), :tz)) AS DATE) AS bucket,
  count_if(type IN ('call.completed', 'call.missed') AND direction = 'inbound') AS inbound_calls,
  count_if(type = 'call.missed' AND direction = 'inbound') AS missed_calls,
  CAST(count_if(type = 'call.missed' AND direction = 'inbound') AS DOUBLE)
    / nullif(count_if(type IN ('call.completed', 'call.missed') AND direction = 'inbound'), 0) AS missed_rate,
  sum(needs_callback) AS callbacks_needed,
  count_if(
    needs_callback = 1 AND date_diff('millisecond', called_at, callback_at) <= :sla_minutes * CAST(60000 AS BIGINT)
  ) AS called_back_within_sla,
  CAST(count_if(
    needs_callback = 1 AND date_diff('millisecond', called_at, callback_at) <= :sla_minutes * CAST(60000 AS BIGINT)
  ) AS DOUBLE) / nullif(sum(needs_callback), 0) AS callback_rate
FROM followed
WHERE called_at >= CAST(:from_ts AS TIMESTAMP)
  AND called_at < CAST(:to_ts AS TIMESTAMP)
  AND (:connector = '' OR connector = :connector)
GROUP BY 1
