{{- /* prune_class sorts the events before $before into what Prune deletes
       ('delete') and the evidence it keeps: the notebook and other
       SageMaker compute lifecycle events the inventory comes from, and
       the AssumeRole calls since $keep_from ($before less the longest
       session), whose keys may be used after
       $before. Events without a time are never pruned. */ -}}
{{define "prune_class"}}CASE
	WHEN ({{ isNotebookLifecycle }}) OR ({{ isComputeLifecycle }}) THEN 'notebook'
	WHEN {{ isAssumeRole }} AND event_time >= $keep_from::TIMESTAMPTZ THEN 'assume-role'
	ELSE 'delete' END{{end}}
