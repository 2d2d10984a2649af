-- Records the staged objects as failed, with no events.
UPDATE staging_objects SET status = 'failed', error = $error, events = 0
