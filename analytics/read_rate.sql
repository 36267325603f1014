-- read_rate: delivery and read rates of outbound messages per channel.
-- sent = outbound messages (message.sent; one per connector + vendor message id) sent in the bucket;
-- delivered = those with a delivery or read receipt (message.delivered / message.read with the same
-- connector and message id, at any time, also after :to); read_messages = those with a read receipt;
-- delivered_rate = delivered / sent, read_rate = read_messages / sent. :connector keeps its messages.
WITH sent AS (
  SELECT connector, message_id, min(occurred_at) AS sent_at, min(channel) AS channel
  FROM hub_events
  WHERE type = 'message.sent'
    AND direction = 'outbound'
    AND message_id IS NOT NULL
    AND dt BETWEEN :from_dt AND :to_dt
    AND occurred_at >= CAST(:from_ts AS TIMESTAMP)
    AND occurred_at < CAST(:to_ts AS TIMESTAMP)
    AND (:connector = '' OR connector = :connector)
  GROUP BY connector, message_id
),
receipts AS (
  SELECT connector, message_id, max(CASE WHEN type = 'message.read' THEN 1 ELSE 0 END) AS is_read
  FROM hub_events
  WHERE type IN ('message.delivered', 'message.read') AND message_id IS NOT NULL AND dt >= :from_dt
  GROUP BY connector, message_id
)
SELECT
  CAST(date_trunc(:granularity, at_timezone(with_timezone(s.sent_at, 'UTC'), :tz)) AS DATE) AS bucket,
  s.channel,
  count(*) AS sent,
  count(r.message_id) AS delivered,
  count_if(r.is_read = 1) AS read_messages,
  CAST(count(r.message_id) AS DOUBLE) / count(*) AS delivered_rate,
  CAST(count_if(r.is_read = 1) AS DOUBLE) / count(*) AS read_rate
FROM sent s
LEFT JOIN receipts r ON r.connector = s.connector AND r.message_id = s.message_id
GROUP BY 1, 2
