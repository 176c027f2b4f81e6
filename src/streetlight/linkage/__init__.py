"""Crime linkage: how alike two crimes are, as evidence that one offender committed both.

The method and its evaluation protocol follow the R package crimelinkage (Porter 2016, "A
statistical approach to crime linkage", The American Statistician 70(2)): `crimes` reads a crime
table through a mapping, `evidence` compares pairs of crimes, `pairs` forms the linked and
unlinked pairs a model learns from, `models` turns evidence into log Bayes factors (the protocol
and a logistic model; `naive_bayes` and `boosted` the reference's other two; `context` and
`ensemble` Streetlight's own, `ensemble.context_ensemble`; `transitive` adds evidence through
third crimes, the default for tables of up to 5,000 crimes), `identify` ranks known series for a
crime. `evaluate` runs the reference protocol (`metrics`, `holdout` for series identification
of held-out crimes, `plot`), `score` scores pairs named by crime id, `reference` holds the
crimelinkage data's layout. See docs/linkage.md. At a force's scale (docs/linkage-scale.md):
`index` finds the pairs near enough in time (and place) to compare, `scoring` scores them in
chunks, `series` clusters crimes into series, `suspects` ranks offenders' series for an unsolved
crime.
"""
