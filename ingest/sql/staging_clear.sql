DELETE FROM staging_objects
