"""Every force of the store at once: one task per force on a Dask distributed cluster.

Domain-neutral on purpose: `run.run_per_force` runs any pure per-force function (store path,
force, options -> plain data) on a local cluster or a running one, `staging` makes each
attempt's files appear whole or not at all, and `summary` writes the combined table. The
per-force work itself lives beside the one-force code it calls (`evaluate.all_forces`,
`hotspots.all_forces`, `deploy.all_forces`). See docs/cluster.md.
"""
