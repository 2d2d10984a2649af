-- How many of the newest rows had no attribution: all of them, or
-- attributions were deleted by hand and every event must be compared.
SELECT count(*) FROM target_all
