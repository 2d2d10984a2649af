-- Start resolving keys from nothing: no key linked, no AssumeRole
-- attributed yet.
CREATE OR REPLACE TEMP TABLE ar_att AS SELECT * FROM attributions LIMIT 0;
CREATE OR REPLACE TEMP TABLE keys AS SELECT * FROM attribution_keys LIMIT 0;
