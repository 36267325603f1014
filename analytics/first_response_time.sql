-- first_response_time: how long a customer waits for the business's first answer, per channel.
-- Requests: an inbound message or email, a lead, a callback request. Responses: an outbound message
-- (message.sent) or an answered call (call.completed, either direction). Each request is paired with the
-- customer's first response at or after it; requests sharing that response are one wait, which starts at
-- the earliest of them and counts in the bucket and channel of that request. answered = waits with a
-- response (at any time, also after :to), unanswered = waits still open; median_seconds / p90_seconds over
-- the answered waits. Requests and responses are read from 30 days before :from (a wait with a gap of more
-- than 30 days between its requests before :from is cut there). :connector keeps the waits whose first
-- request it reported.
WITH touches AS (
  SELECT
    id,
    min(customer_id) AS customer_id,
    min(channel) AS channel,
    min(connector) AS connector,
    min(occurred_at) AS touched_at,
    max(CASE WHEN type IN ('message.sent', 'call.completed') THEN 1 ELSE 0 END) AS is_response
  FROM hub_events
  WHERE dt >= :lookback_dt
    AND (
      (type = 'message.received' AND direction = 'inbound')
      OR type IN ('email.received', 'lead.submitted', 'callback.requested', 'call.completed')
      OR (type = 'message.sent' AND direction = 'outbound')
    )
  GROUP BY id
),
paired AS (
  SELECT
    customer_id, channel, connector, touched_at, is_response,
    min(CASE WHEN is_response = 1 THEN touched_at END) OVER (
      PARTITION BY customer_id ORDER BY touched_at, is_response, id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING
    ) AS answered_at
  FROM touches
),
waits AS (
  SELECT
    customer_id,
    answered_at,
    min(touched_at) AS asked_at,
    min_by(channel, touched_at) AS channel,
    min_by(connector, touched_at) AS connector
  FROM paired
  WHERE is_response = 0
  GROUP BY customer_id, answered_at
)
SELECT
  CAST(date_trunc(:granularity, at_timezone(with_timezone(asked_at, 'UTC'), :tz)) AS DATE) AS bucket,
  channel,
  count(answered_at) AS answered,
  count_if(answered_at IS NULL) AS unanswered,
  approx_percentile(CAST(date_diff('millisecond', asked_at, answered_at) AS DOUBLE) / 1000, 0.5) AS median_seconds,
  approx_percentile(CAST(date_diff('millisecond', asked_at, answered_at) AS DOUBLE) / 1000, 0.9) AS p90_seconds
FROM waits
WHERE asked_at >= CAST(:from_ts AS TIMESTAMP)
  AND asked_at < CAST(:to_ts AS TIMESTAMP)
  AND (:connector = '' OR connector = :connector)
GROUP BY 1, 2
