-- fnd_ended: when each notebook instance, job, HyperPod cluster or
-- endpoint was not running. A notebook: from a StopNotebookInstance or
-- DeleteNotebookInstance (or a deletion the inventory from the API or a
-- CSV knows) to the next Start or Create of the same name; the events are
-- those notebook_events keeps for the inventory, not records read again
-- each run. Other compute: from the end of a lifetime in compute_resources
-- (all its parts ended) to the next lifetime of the name, when the end is
-- known: a Stop or Delete event, the job's stopping condition, or the
-- API's or a CSV's end; a maximum ctattrib assumed is not.
CREATE OR REPLACE TEMP TABLE fnd_ended AS
WITH ev AS (
    SELECT account_id, region, name, event_name, event_time
    FROM notebook_events
    WHERE event_name IN ('StopNotebookInstance', 'StartNotebookInstance', 'CreateNotebookInstance', 'DeleteNotebookInstance')
    UNION ALL
    SELECT account_id, region, name, 'DeleteNotebookInstance', deleted_at
    FROM notebook_instances WHERE source <> 'cloudtrail' AND deleted_at IS NOT NULL
    UNION ALL
    SELECT account_id, region, name, 'CreateNotebookInstance', created_at
    FROM notebook_instances WHERE source <> 'cloudtrail' AND created_at IS NOT NULL
), s AS (
    SELECT *, min(CASE WHEN event_name IN ('StartNotebookInstance', 'CreateNotebookInstance') THEN event_time END)
            OVER (PARTITION BY account_id, region, name ORDER BY event_time
                ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING) AS resumed_at
    FROM ev WHERE name IS NOT NULL AND account_id IS NOT NULL AND region IS NOT NULL
), lives AS (
    -- A compute's lifetimes: its spans (parts on roles) share life_from.
    SELECT account_id, region, kind, name, life_from,
        CASE WHEN count(*) FILTER (WHERE ended_at IS NULL) = 0 THEN max(ended_at) END AS ended_at,
        arg_max(CASE WHEN source <> 'cloudtrail' THEN 'api' ELSE ended_by END, ended_at) AS ended_by
    FROM compute_resources
    WHERE kind IN ('training-job', 'processing-job', 'transform-job', 'hyperpod-cluster', 'endpoint')
    GROUP BY ALL
), nexts AS (
    SELECT *, lead(coalesce(life_from, ended_at)) OVER (PARTITION BY account_id, region, kind, name
            ORDER BY coalesce(life_from, ended_at)) AS next_life
    FROM lives
)
SELECT 'notebook-instance' AS actor_kind, account_id, region, name, event_time AS ended_at,
    CASE event_name WHEN 'StopNotebookInstance' THEN 'stopped' ELSE 'deleted' END AS how,
    coalesce(resumed_at, 'infinity'::TIMESTAMPTZ) AS resumed_at
FROM s WHERE event_name IN ('StopNotebookInstance', 'DeleteNotebookInstance')
UNION ALL
SELECT kind, account_id, region, name, ended_at,
    CASE WHEN starts_with(ended_by, 'Stop') THEN 'stopped'
        WHEN starts_with(ended_by, 'Delete') THEN 'deleted'
        WHEN ended_by = 'stopping-condition' THEN 'stopped at its maximum runtime'
        ELSE 'ended' END,
    coalesce(next_life, 'infinity'::TIMESTAMPTZ)
FROM nexts
WHERE ended_at IS NOT NULL
  AND (starts_with(ended_by, 'Stop') OR starts_with(ended_by, 'Delete') OR ended_by IN ('stopping-condition', 'api'))
