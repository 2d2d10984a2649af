-- Records the latest day folder a complete run listed in each region
-- folder; a folder's day never moves back.
INSERT INTO listed_through (folder, day, listed_at)
SELECT unnest($folders::VARCHAR[]), unnest($days::VARCHAR[])::DATE, $now::TIMESTAMPTZ
ON CONFLICT (folder) DO UPDATE SET day = greatest(day, excluded.day), listed_at = excluded.listed_at
