-- fnd_ended: when each notebook instance was not running: from a
-- StopNotebookInstance or DeleteNotebookInstance (or a deletion the
-- inventory from the API or a CSV knows) to the next Start or Create of
-- the same name. The events are those notebook_events keeps for the
-- inventory, not records read again each run.
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
)
SELECT account_id, region, name, event_time AS ended_at,
    CASE event_name WHEN 'StopNotebookInstance' THEN 'stopped' ELSE 'deleted' END AS how,
    coalesce(resumed_at, 'infinity'::TIMESTAMPTZ) AS resumed_at
FROM s WHERE event_name IN ('StopNotebookInstance', 'DeleteNotebookInstance')
