DELETE FROM findings
