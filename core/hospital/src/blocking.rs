//! A blocking facade over [`Hospital`], running on a [`BlockingVault`]'s runtime: for the
//! bindings, the command line and any caller without tokio.

use chrono::{NaiveDate, NaiveDateTime};
use medvault::vault::{BlockingVault, Progress, RecordMeta};
use medvault_identity::{AccountId, BlockingIdentity, SessionToken};

use std::io::{Read, Seek};

use super::import::{ImportKind, ImportReport, ImportRows, ParsedFile};
use super::{
    Appointment, AppointmentStatus, Dashboard, Event, Hospital, Identifier, NewEvent, Note,
    NoteAudience, Observation, PatientProfile, Physician, PhysicianProfile, Schedule, Slot,
    SlotQuery,
};
use crate::error::Result;

/// A [`Hospital`] whose methods block. `Send + Sync`; clones share everything.
#[derive(Clone, Debug)]
pub struct BlockingHospital {
    vault: BlockingVault,
    hospital: Hospital,
}

/// Each method blocks on the [`Hospital`] method of the same name.
macro_rules! blocking {
    ($(fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(
            #[doc = concat!("[`Hospital::", stringify!($name), "`].")]
            pub fn $name(&self $(, $arg: $ty)*) -> Result<$ret> {
                self.vault.block_on(self.hospital.$name($($arg),*))
            }
        )*
    };
}

impl BlockingHospital {
    /// The hospital over `identity`.
    pub fn new(identity: &BlockingIdentity) -> Self {
        Self {
            vault: identity.vault().clone(),
            hospital: Hospital::new(identity.inner().clone()),
        }
    }

    /// The async hospital underneath.
    pub fn inner(&self) -> &Hospital {
        &self.hospital
    }

    /// [`Hospital::parse_import`].
    pub fn parse_import(&self, bytes: &[u8], kind: Option<ImportKind>) -> Result<ParsedFile> {
        self.hospital.parse_import(bytes, kind)
    }

    /// [`Hospital::open_import`].
    pub fn open_import<R: Read + Seek>(
        &self,
        file: R,
        kind: Option<ImportKind>,
    ) -> Result<ImportRows<R>> {
        self.hospital.open_import(file, kind)
    }

    /// [`Hospital::operator_import_rows`].
    pub fn operator_import_rows<R: Read + Send>(
        &self,
        rows: ImportRows<R>,
        dry_run: bool,
        progress: Option<&dyn Progress>,
    ) -> Result<ImportReport> {
        self.vault
            .block_on(self.hospital.operator_import_rows(rows, dry_run, progress))
    }

    /// [`Hospital::import_rows`].
    pub fn import_rows<R: Read + Send>(
        &self,
        session: &SessionToken,
        rows: ImportRows<R>,
        dry_run: bool,
        progress: Option<&dyn Progress>,
    ) -> Result<ImportReport> {
        self.vault
            .block_on(self.hospital.import_rows(session, rows, dry_run, progress))
    }

    blocking! {
        fn register_patient(&self, username: &str, password: &str, profile: &PatientProfile) -> AccountId;
        fn admin_register_patient(&self, session: &SessionToken, username: &str, password: &str, profile: &PatientProfile) -> AccountId;
        fn patient_profile(&self, session: &SessionToken, patient: AccountId) -> PatientProfile;
        fn find_patient(&self, session: &SessionToken, identifier: &Identifier) -> Option<AccountId>;
        fn update_patient_profile(&self, session: &SessionToken, patient: AccountId, profile: &PatientProfile) -> ();
        fn add_physician(&self, session: &SessionToken, username: &str, password: &str, profile: &PhysicianProfile) -> AccountId;
        fn remove_physician(&self, session: &SessionToken, physician: AccountId) -> ();
        fn set_schedule(&self, session: &SessionToken, physician: AccountId, schedule: &Schedule) -> ();
        fn physician(&self, session: &SessionToken, physician: AccountId) -> Physician;
        fn physicians(&self, session: &SessionToken, specialty: Option<&str>) -> Vec<Physician>;
        fn free_slots(&self, session: &SessionToken, query: &SlotQuery) -> Vec<Slot>;
        fn book(&self, session: &SessionToken, patient: AccountId, physician: AccountId, start: NaiveDateTime) -> Appointment;
        fn cancel(&self, session: &SessionToken, appointment: &str, reason: &str) -> Appointment;
        fn record_attendance(&self, session: &SessionToken, appointment: &str, status: AppointmentStatus) -> Appointment;
        fn patient_appointments(&self, session: &SessionToken, patient: AccountId) -> Vec<Appointment>;
        fn physician_appointments(&self, session: &SessionToken, physician: AccountId) -> Vec<Appointment>;
        fn write_encounter_note(&self, session: &SessionToken, patient: AccountId, text: &str) -> RecordMeta;
        fn write_observation(&self, session: &SessionToken, patient: AccountId, observation: &Observation) -> RecordMeta;
        fn upload_document(&self, session: &SessionToken, patient: AccountId, title: &str, content_type: &str, content: &[u8]) -> RecordMeta;
        fn timeline(&self, session: &SessionToken, patient: AccountId) -> Vec<RecordMeta>;
        fn publish_event(&self, session: &SessionToken, event: &NewEvent) -> Event;
        fn withdraw_event(&self, session: &SessionToken, event: &str) -> ();
        fn events(&self, session: &SessionToken, from: NaiveDate, to: NaiveDate) -> Vec<Event>;
        fn write_note(&self, session: &SessionToken, to: NoteAudience, text: &str) -> Note;
        fn notes(&self, session: &SessionToken) -> Vec<Note>;
        fn dashboard(&self, session: &SessionToken, from: NaiveDate, to: NaiveDate) -> Dashboard;
        fn operator_dashboard(&self, from: NaiveDate, to: NaiveDate) -> Dashboard;
        fn import(&self, session: &SessionToken, file: &ParsedFile, dry_run: bool, progress: Option<&dyn Progress>) -> ImportReport;
        fn operator_import(&self, file: &ParsedFile, dry_run: bool, progress: Option<&dyn Progress>) -> ImportReport;
    }
}
