-- How many key rows this round changed: none, and the keys are resolved.
SELECT (SELECT count(*) FROM (SELECT * FROM keys_new EXCEPT SELECT * FROM keys))
	+ (SELECT count(*) FROM (SELECT * FROM keys EXCEPT SELECT * FROM keys_new))
