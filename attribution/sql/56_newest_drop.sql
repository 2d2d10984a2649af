DROP TABLE newest
