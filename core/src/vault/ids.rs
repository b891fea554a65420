//! Identifiers the vault hands out: random, so they reveal nothing about a patient.

use crate::crypto::id_type;

id_type!(
    /// Identifies a record across all its versions.
    RecordId
);

id_type!(
    /// Identifies a writer: one local index folder, the only author of `log/<writer>/…`.
    WriterId
);

id_type!(
    /// Names a payload object in `objects/`.
    ObjectName
);
