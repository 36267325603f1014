-- nps_csat: Net Promoter Score and customer satisfaction from survey scores.
-- Responses are form.submitted events carrying a score (data.score). NPS (0-10): promoters 9-10, passives
-- 7-8, detractors 0-6, nps = (promoters - detractors) * 100 / nps_responses (-100..100). CSAT (1-5):
-- satisfied 4-5, csat = satisfied * 100 / csat_responses (0..100). Null when there is no response. Bucket
-- of the submission. :connector keeps the surveys it reported.
WITH responses AS (
  SELECT id, min(occurred_at) AS answered_at, min(score_kind) AS kind, min(score_value) AS score
  FROM hub_events
  WHERE type = 'form.submitted'
    AND score_kind IS NOT NULL
    AND dt BETWEEN :from_dt AND :to_dt
    AND occurred_at >= CAST(:from_ts AS TIMESTAMP)
    AND occurred_at < CAST(:to_ts AS TIMESTAMP)
    AND (:connector = '' OR connector = :connector)
  GROUP BY id
)
SELECT
  CAST(date_trunc(:granularity, at_timezone(with_timezone(answered_at, 'UTC'), :tz)) AS DATE) AS bucket,
  count_if(kind = 'nps') AS nps_responses,
  count_if(kind = 'nps' AND score >= 9) AS promoters,
  count_if(kind = 'nps' AND score BETWEEN 7 AND 8) AS passives,
  count_if(kind = 'nps' AND score <= 6) AS detractors,
  CAST(count_if(kind = 'nps' AND score >= 9) - count_if(kind = 'nps' AND score <= 6) AS DOUBLE) * 100
    / nullif(count_if(kind = 'nps'), 0) AS nps,
  count_if(kind = 'csat') AS csat_responses,
  count_if(kind = 'csat' AND score >= 4) AS satisfied,
  CAST(count_if(kind = 'csat' AND score >= 4) AS DOUBLE) * 100 / nullif(count_if(kind = 'csat'), 0) AS csat
FROM responses
GROUP BY 1
