UPDATE attributions SET finding = NULL WHERE finding IS NOT NULL
