-- athena_columns: the columns export writes, with their types, and no rows.
SELECT * FROM ({{template "export_select"}}) LIMIT 0
