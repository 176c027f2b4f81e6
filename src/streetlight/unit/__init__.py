"""Offender units: casework for the people behind violence against women and girls.

Personal data processed for law enforcement (Data Protection Act 2018, Part 3): every access is
audited, records carry review dates, and nothing of it goes into a log line, an error message or
a public page.

- `extract`: the records-management extract's tables and canonical columns, the offence codes;
- `mapping`: a force's mapping file (its files, headers and words for the canonical ones);
- `reading`: reading an extract's rows, and the reasons a row is quarantined;
- `importer`: the import into the casework tables (`import_extract`), in one transaction;
- `quarantine`: the refused rows' values, for unit supervisors, audited;
- `audit`: the audit entries every use of a person's record leaves;
- `harm`, `concentration`: CCHI days per offence subgroup, and how concentrated an extract's
  harm is beside the published studies;
- `ranking`, `ranking_weights`, `ranking_casework`: the harm rankings of suspects (each score the
  sum of its allegations' parts), their replaceable weights, and ranking the casework tables with
  the listing audited;
- `errors`: the `CaseworkError` group's classes.

The tables are `streetlight.db.models.unit`; the vocabulary is `streetlight.db.enums`.
"""
