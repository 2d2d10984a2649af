-- attributions.finding: the kind of the finding each call belongs to.
UPDATE attributions a SET finding = f.kind FROM fnd_events f WHERE a.event_id = f.event_id
