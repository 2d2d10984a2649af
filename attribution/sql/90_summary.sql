-- The attributions by kind, method and confidence, most first.
SELECT actor_kind, method, confidence, count(*) AS n
FROM attributions GROUP BY ALL ORDER BY n DESC, actor_kind, method, confidence
