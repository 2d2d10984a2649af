-- Records of an object that are not CloudTrail events (no eventName,
-- eventSource or time, or not an event at all) are never stored as
-- events: ingest counts them per object, with the first one's place and
-- what it looks like. The object's events load all the same.

ALTER TABLE objects ADD COLUMN rejected BIGINT DEFAULT 0;
ALTER TABLE objects ADD COLUMN rejected_reason VARCHAR;
