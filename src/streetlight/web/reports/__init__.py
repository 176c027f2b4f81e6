"""Public reports of places where people feel unsafe: the pages (en/fr, without JavaScript), the
JSON API, their forms, words and the street finder of the report map."""
