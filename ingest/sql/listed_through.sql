-- The latest day folder a complete run listed in each region folder below
-- $root.
SELECT folder, day FROM listed_through WHERE starts_with(folder, $root)
