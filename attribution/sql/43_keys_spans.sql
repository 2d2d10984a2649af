-- This round's keys. Each link of a key holds until the key's next link
-- starts: the spans do not overlap, so the link in force at an event's
-- time is the one span that contains it.
CREATE OR REPLACE TEMP TABLE keys AS SELECT * FROM keys_new ORDER BY access_key_id, valid_from;

CREATE OR REPLACE TEMP TABLE keys_spans AS
SELECT *, lead(valid_from, 1, 'infinity'::TIMESTAMPTZ) OVER (PARTITION BY access_key_id ORDER BY valid_from) AS next_from
FROM keys;
