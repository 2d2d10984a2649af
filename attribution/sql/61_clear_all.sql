DELETE FROM attributions
