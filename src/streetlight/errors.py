"""One exception tree for the whole package.

Catch a group; raise a concrete class. The groups are here; each concrete class lives beside the
code that raises it and derives from its area's group. Every message names what the user can find
and fix: the file (and the row and field where there is one), the option, or the record.

```
StreetlightError              anything Streetlight raises on purpose (never raised itself)
├── ConfigError               a setting, option or configuration file that cannot be used
│     UnknownOutputError, UnknownTimeZoneError (here); OptionError (cli.options);
│     SettingsError (staff.settings); SampleNotFoundError (demo.pipeline);
│     SyntheticConfigError (unit.synthetic); ClusterSettingsError, OneForceOnlyError,
│     ClusterUnreachableError (cluster.run)
├── IngestError               crime data that cannot be read at all (bad rows are quarantined)
│     SourceError > SourceNotFoundError, NotCSVError, NotZipError, UnknownLayoutError;
│     MappingError (here); LinkageMappingError, LinkageFileError (linkage.crimes)
├── StoreError                the incident store (store.access, store.store): StoreNotFoundError,
│                             StoreDamagedError, StoreLockedError, UnknownForceError,
│                             ReadOnlyStoreError; StoreAccessError (store.bucket),
│                             UnsupportedStoreURLError (store.location)
├── ForecastError             hotspots and backtests: NotFittedError (hotspots.base),
│                             NoDateTimesError (hotspots.etas), UnknownModelError
│                             (hotspots.registry), HarmTableError (hotspots.harm),
│                             ForecastInputError (hotspots.forecast), BacktestSettingsError,
│                             BacktestFileError (evaluate.run)
├── PlanError                 patrol plans and dosage (deploy.errors): PlanSettingsError,
│                             PlanInputError, SolverError, BriefingError, DosageInputError
├── ReportError               public reports: ReportRejectedError (reports.validation),
│                             SpamSuspectedError (reports.antispam), ReportNotFoundError,
│                             ModerationError (reports.moderation), PerceptionError
│                             (reports.perception), ReportsReadError (reports.dataset),
│                             ExportError (reports.export), FormError (web.analyst.router)
├── VerifyError               on-the-spot verification: NotOnDutyError,
│                             EngagementNotFoundError, IdempotencyConflictError
│                             (verify.engagements), ChatClosedError, EmptyMessageError
│                             (verify.chat), ConsoleItemNotFoundError (verify.console)
├── AuthError                 staff sign-in and what a request may do: AccountError
│                             (staff.accounts), WebAuthnError, OptionsLimitedError
│                             (staff.webauthn), NotSignedInError, ForbiddenError
│                             (web.core.deps), CsrfError (web.core.csrf)
├── DatabaseError             the operational database (db.errors): DatabaseUrlError,
│                             DatabaseUnreachableError, AuditChainError, ImportFileError,
│                             OfficerNotFoundError, DutyError
├── CaseworkError             offender units' casework (unit.errors): ExtractMappingError,
│                             ExtractError (an extract or its mapping that cannot be used at
│                             all; bad rows are quarantined), CaseworkAccessError (a role or
│                             reason that does not allow a read)
└── ConductError              conduct reports about officers: DecryptionError (conduct.crypto),
                              AttachmentError (conduct.attachments), EnrolmentError
                              (conduct.keys), ConductRejectedError (conduct.intake),
                              ReceiptNotFoundError, ReceiptLimitedError (conduct.reporter),
                              NotARecipientError (conduct.handling), LineError
                              (conduct.command)
```
`tests/test_errors.py` keeps it so: every class is under exactly one group and named `...Error`,
and no code raises the root or a group.
"""

from __future__ import annotations


class StreetlightError(Exception):
    """Base of every error Streetlight raises on purpose."""


# The groups, one per area: catch these.


class ConfigError(StreetlightError):
    """A setting, command-line option or configuration file that cannot be used as given."""


class IngestError(StreetlightError):
    """Crime data that cannot be read at all (bad rows are quarantined, never raised)."""


class StoreError(StreetlightError):
    """The incident store is missing, locked by another writer, or damaged."""


class ForecastError(StreetlightError):
    """A hotspot forecast or backtest that cannot be made from what it was given."""


class PlanError(StreetlightError):
    """A patrol plan, schedule or dosage measure that cannot be made from what it was given."""


class ReportError(StreetlightError):
    """A public report refused, not found, or an output of them that cannot be made."""


class VerifyError(StreetlightError):
    """On-the-spot verification: an engagement, check, chat or console action that cannot be."""


class AuthError(StreetlightError):
    """Staff sign-in, and what a request is allowed to do."""


class DatabaseError(StreetlightError):
    """The operational database cannot be reached, is at a schema this version does not know, or
    refuses a change."""


class CaseworkError(StreetlightError):
    """Offender units' casework: an extract or mapping that cannot be imported at all, or a read
    that the reader's role or reason does not allow. Messages never carry personal data."""


class ConductError(StreetlightError):
    """Conduct reports about officers: a report refused, a receipt or key that opens nothing,
    a read that routing does not allow. Messages never carry a report's content."""


# Reading crime data: raised by `streetlight.ingest`.


class SourceError(IngestError):
    """An input source cannot be read at all (as opposed to bad rows, which are quarantined)."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, str]]:
        # Raised in an ingest worker process, it crosses back pickled: rebuilt from both parts.
        return type(self), (self.source, self.problem)


class SourceNotFoundError(SourceError):
    """The path does not exist."""


class NotCSVError(SourceError):
    """The file is not delimited text (binary, or no header line)."""


class NotZipError(SourceError):
    """A `.zip` that is not a readable zip archive."""


class UnknownLayoutError(SourceError):
    """The header does not match any layout Streetlight knows, nor the mapping given."""


class MappingError(IngestError):
    """A mapping file is missing, malformed, or names something impossible."""


# Raised by several areas: a path or name the user gave that no part of Streetlight knows.


class UnknownOutputError(ConfigError):
    """An output path whose suffix no writer of this command knows (the message lists those)."""


class UnknownTimeZoneError(ConfigError):
    """A time zone that is neither an IANA name (Europe/London) nor, where allowed, an offset."""
