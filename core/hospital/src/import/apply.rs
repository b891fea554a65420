//! Import, the applying half: accepted rows become accounts with profiles and appointments,
//! in batches, as the operator. A row already imported by an earlier run (found by its
//! source identifier) is left alone and reported `unchanged`, so importing a file twice
//! changes nothing; except a patient row whose demographics differ from the stored profile,
//! which updates the profile (audited as a profile change) and is reported `updated`, naming
//! the fields that changed. A dry run decides every row the same way and writes nothing.
//!
//! Imported patients and physicians get an account named `patient-…` / `physician-…` whose
//! password is random and discarded: nobody can log in with it until the account is given a
//! password of its own.

use std::collections::{HashMap, HashSet};
use std::io::{Read, Seek};

use futures_util::stream::{self, StreamExt};
use medvault::vault::{DocumentRevision, InstanceLock, Progress, UpdateGuard};
use medvault_identity::audit::{Actor, AuditAction, AuditEvent};
use medvault_identity::policy::Permission;
use medvault_identity::{AccountId, Role, SessionToken};

use super::report::ImportReport;
use super::{
    CleanAppointment, CleanPatient, CleanPhysician, CleanRow, ImportKind, ImportRows, ParsedFile,
    ParsedRow, ROWS_PER_BATCH,
};
use crate::appointment::{Appointment, slot_key};
use crate::error::Result;
use crate::identifiers::IDENTIFIERS;
use crate::operation::HospitalOperation;
use crate::profile::{PatientFile, Physician, PhysicianProfile};
use crate::schedule::Schedule;
use crate::{Hospital, new_id};

/// What applying one row comes to.
enum Planned {
    /// New documents, added to the batch.
    Added,
    /// Imported by an earlier run, as it is.
    Unchanged,
    /// Imported by an earlier run, and changed in these fields, added to the batch.
    Updated(Vec<&'static str>),
    /// Refused, with a reason naming the column.
    Refused(String),
}

/// The documents and audit events of one batch.
#[derive(Default)]
struct Batch {
    revisions: Vec<DocumentRevision>,
    events: Vec<AuditEvent>,
    /// The new appointments, with the row each comes from. Their revisions, and their days'
    /// tallies, join the batch once their slots are claimed.
    appointments: Vec<(usize, Appointment)>,
}

/// Why an appointment row whose slot is taken is rejected.
const SLOT_TAKEN: &str = "START: the physician's slot is already booked";

/// How many slot claims an import has in flight at once.
const SLOT_CLAIMS_AT_ONCE: usize = 16;

/// Who creates an import's accounts, and the password hash that locks them.
#[derive(Clone, Copy)]
struct NewAccount<'a> {
    actor: &'a Actor,
    locked: &'a str,
}

/// The accounts this run has created or looked up, by source identifier (so that rows can
/// refer to rows of the same run before they are committed, and each is looked up once), and
/// the slots its appointments hold.
#[derive(Default)]
struct Created {
    accounts: HashMap<String, AccountId>,
    slots: HashSet<String>,
}

impl Created {
    /// The account with source identifier `key`: created by this run, or found by `lookup`.
    fn account(
        &mut self,
        key: &str,
        lookup: impl FnOnce(&str) -> Result<Option<AccountId>>,
    ) -> Result<Option<AccountId>> {
        if let Some(account) = self.accounts.get(key) {
            return Ok(Some(*account));
        }
        let found = lookup(key)?;
        if let Some(account) = found {
            self.accounts.insert(key.to_owned(), account);
        }
        Ok(found)
    }
}

/// What lasts across the batches of one import.
struct Run<'a> {
    actor: Actor,
    dry_run: bool,
    /// The hash of one random password, computed once and discarded, that locks every
    /// account the import creates; computed when the first is.
    locked: Option<String>,
    created: Created,
    /// Progress, and the total it counts to (accepted rows, for a parsed file).
    progress: Option<(&'a dyn Progress, u64)>,
    /// Accepted rows applied so far.
    done: u64,
}

impl<'a> Run<'a> {
    fn new(actor: Actor, dry_run: bool, progress: Option<(&'a dyn Progress, u64)>) -> Self {
        Self {
            actor,
            dry_run,
            locked: None,
            created: Created::default(),
            progress,
            done: 0,
        }
    }
}

impl Hospital {
    /// Reads an import file ([`super::parse`]) with the hospital clock's today.
    pub fn parse_import(&self, bytes: &[u8], kind: Option<ImportKind>) -> Result<ParsedFile> {
        super::parse(bytes, kind, self.today())
    }

    /// Opens an import file to be read row by row ([`ImportRows::open`]) with the hospital
    /// clock's today.
    pub fn open_import<R: Read + Seek>(
        &self,
        file: R,
        kind: Option<ImportKind>,
    ) -> Result<ImportRows<R>> {
        ImportRows::open(file, kind, self.today())
    }

    /// Applies the accepted rows of `file` as the operator (patients and physicians first,
    /// then appointments) and returns the report of every row. With `dry_run` nothing is
    /// written. `progress` hears of every batch.
    pub async fn operator_import(
        &self,
        file: &ParsedFile,
        dry_run: bool,
        progress: Option<&dyn Progress>,
    ) -> Result<ImportReport> {
        self.apply_import(Actor::Operator, file, dry_run, progress)
            .await
    }

    /// [`Hospital::operator_import`] on behalf of the admin holding `session`, audited as
    /// theirs.
    pub async fn import(
        &self,
        session: &SessionToken,
        file: &ParsedFile,
        dry_run: bool,
        progress: Option<&dyn Progress>,
    ) -> Result<ImportReport> {
        let admin = self.importing_admin(session).await?;
        self.apply_import(admin, file, dry_run, progress).await
    }

    /// Reads `rows` and applies them as the operator, a batch at a time: each batch of rows
    /// is read, cleansed and committed before the next is read, so that memory does not grow
    /// with the file but for the report and what duplicates are found by. Every row is
    /// decided as [`Hospital::operator_import`] decides it. A bundle's rows are applied
    /// together (see [`ImportRows::one_kind`]). `progress` hears of every batch, counting
    /// rows read towards [`ImportRows::expected_rows`].
    ///
    /// An error stops the import: the batches before it stay committed, and nothing after.
    pub async fn operator_import_rows<R: Read + Send>(
        &self,
        rows: ImportRows<R>,
        dry_run: bool,
        progress: Option<&dyn Progress>,
    ) -> Result<ImportReport> {
        self.apply_import_rows(Actor::Operator, rows, dry_run, progress)
            .await
    }

    /// [`Hospital::operator_import_rows`] on behalf of the admin holding `session`, audited
    /// as theirs.
    pub async fn import_rows<R: Read + Send>(
        &self,
        session: &SessionToken,
        rows: ImportRows<R>,
        dry_run: bool,
        progress: Option<&dyn Progress>,
    ) -> Result<ImportReport> {
        let admin = self.importing_admin(session).await?;
        self.apply_import_rows(admin, rows, dry_run, progress).await
    }

    /// The admin holding `session`, if they may import.
    async fn importing_admin(&self, session: &SessionToken) -> Result<Actor> {
        let admin = self
            .identity
            .permit(session, HospitalOperation::ImportData)
            .await?;
        Ok(admin.actor())
    }

    async fn apply_import(
        &self,
        actor: Actor,
        file: &ParsedFile,
        dry_run: bool,
        progress: Option<&dyn Progress>,
    ) -> Result<ImportReport> {
        let total = file.accepted().count() as u64;
        let progress = progress.map(|progress| (progress, total));
        self.apply_rows(&mut Run::new(actor, dry_run, progress), &file.rows)
            .await
    }

    async fn apply_import_rows<R: Read + Send>(
        &self,
        actor: Actor,
        mut rows: ImportRows<R>,
        dry_run: bool,
        progress: Option<&dyn Progress>,
    ) -> Result<ImportReport> {
        // Progress is told batch by batch here, in rows read.
        let mut run = Run::new(actor, dry_run, None);
        let mut report = ImportReport::default();
        loop {
            let batch = rows.next_rows(ROWS_PER_BATCH)?;
            if batch.is_empty() {
                break;
            }
            report.append(self.apply_rows(&mut run, &batch).await?);
            // What this run created is in the vault now, where later rows find it; a dry
            // run, which writes nothing, remembers it instead.
            if !dry_run {
                run.created = Created::default();
            }
            if let Some(progress) = progress {
                progress.advance(rows.rows_read() as u64, rows.expected_rows() as u64);
            }
        }
        Ok(report)
    }

    /// Applies the accepted rows of `rows` (patients and physicians first, then
    /// appointments) in batches and returns the report of `rows`.
    async fn apply_rows(&self, run: &mut Run<'_>, rows: &[ParsedRow]) -> Result<ImportReport> {
        let mut report = ImportReport::from_rows(rows);
        let mut accepted: Vec<_> = rows
            .iter()
            .filter_map(|row| Some((row, row.clean()?)))
            .collect();
        accepted.sort_by_key(|(_, clean)| kind_order(clean.kind()));
        let needs_accounts = accepted
            .iter()
            .any(|(_, clean)| !matches!(clean, CleanRow::Appointment(_)));
        if needs_accounts && !run.dry_run && run.locked.is_none() {
            run.locked = Some(self.identity.hash_password(&new_id()?).await?);
        }
        for chunk in accepted.chunks(ROWS_PER_BATCH) {
            if run.dry_run {
                self.apply_chunk(run, chunk, &mut report, None).await?;
            } else {
                // Held among instances, so that another instance importing the same rows
                // finds them once this batch is committed, instead of creating them again.
                self.vault()
                    .holding(IDENTIFIERS, async |held| {
                        self.apply_chunk(run, chunk, &mut report, Some(held)).await
                    })
                    .await?;
            }
            run.done += chunk.len() as u64;
            if let Some((progress, total)) = run.progress {
                progress.advance(run.done, total);
            }
        }
        Ok(report)
    }

    /// Plans the rows of `chunk`, marking `report`, and commits them in one batch (unless
    /// this is a dry run, which holds nothing).
    async fn apply_chunk(
        &self,
        run: &mut Run<'_>,
        chunk: &[(&ParsedRow, &CleanRow)],
        report: &mut ImportReport,
        held: Option<&InstanceLock>,
    ) -> Result<()> {
        // Imported appointments must not take a slot a booking is taking: the bookings'
        // section first, then the update lock, as everywhere.
        let _bookings = self.vault().lock_section(crate::booking::BOOKINGS).await;
        let guard = self.vault().lock_updates().await;
        let mut batch = Batch::default();
        let locked = run.locked.as_deref().unwrap_or_default();
        for (row, clean) in chunk {
            let planned = self.plan(
                row.row,
                &run.actor,
                clean,
                locked,
                &mut run.created,
                &mut batch,
            )?;
            match planned {
                Planned::Added => {}
                Planned::Unchanged => {
                    report.mark_unchanged(row.row);
                }
                Planned::Updated(fields) => {
                    report.mark_updated(row.row, &fields);
                }
                Planned::Refused(reason) => {
                    report.mark_rejected(row.row, reason);
                }
            }
        }
        // A dry run writes nothing, and claims nothing.
        let Some(held) = held else {
            return Ok(());
        };
        let appointments = std::mem::take(&mut batch.appointments);
        let appointments = self.claim_slots(appointments, report).await?;
        let committed = self
            .commit_chunk(&run.actor, &guard, held, batch, &appointments)
            .await;
        if committed.is_err() {
            self.release_slots(&appointments).await;
        }
        committed
    }

    /// Claims the slots of `appointments` that hold one, as bookings do, a few at a time. An
    /// appointment whose slot another instance holds, or is booking at this moment, is left
    /// out and its row rejected. Returns the appointments kept; on an error, the claims won
    /// are withdrawn.
    async fn claim_slots(
        &self,
        appointments: Vec<(usize, Appointment)>,
        report: &mut ImportReport,
    ) -> Result<Vec<Appointment>> {
        let outcomes: Vec<Result<bool>> = stream::iter(&appointments)
            .map(|(_, appointment)| async move {
                if !appointment.status.holds_slot() {
                    return Ok(true);
                }
                Ok(self.claim_slot(appointment).await?.is_some())
            })
            .buffered(SLOT_CLAIMS_AT_ONCE)
            .collect()
            .await;
        let mut kept = Vec::new();
        let mut failure = None;
        for ((row, appointment), outcome) in appointments.into_iter().zip(outcomes) {
            match outcome {
                Ok(true) => kept.push(appointment),
                Ok(false) => {
                    report.mark_rejected(row, SLOT_TAKEN);
                }
                Err(error) => {
                    failure.get_or_insert(error);
                }
            }
        }
        if let Some(error) = failure {
            self.release_slots(&kept).await;
            return Err(error);
        }
        Ok(kept)
    }

    /// Withdraws the slot claims of `appointments` (a batch that was not committed).
    async fn release_slots(&self, appointments: &[Appointment]) {
        for appointment in appointments {
            if appointment.status.holds_slot() {
                self.release_slot(appointment).await;
            }
        }
    }

    /// Commits `batch` with `appointments` (their slots claimed), their days' tallies and the
    /// audit event of the import, if there is anything to commit.
    async fn commit_chunk(
        &self,
        actor: &Actor,
        guard: &UpdateGuard<'_>,
        held: &InstanceLock,
        batch: Batch,
        appointments: &[Appointment],
    ) -> Result<()> {
        let Batch {
            mut revisions,
            mut events,
            ..
        } = batch;
        if !appointments.is_empty() {
            events.push(self.identity.event(
                actor.clone(),
                AuditAction::Authorize {
                    operation: format!("import {} appointments", appointments.len()),
                    patient: None,
                },
            ));
            for appointment in appointments {
                revisions.push(self.appointments().revision_of(appointment, 1)?);
            }
            let new: Vec<_> = appointments.iter().map(|a| (None, a)).collect();
            revisions.extend(self.tally_revisions(guard, &new)?);
        }
        if revisions.is_empty() {
            return Ok(());
        }
        held.check_in_time()?;
        Ok(self.identity.commit(revisions, events).await?)
    }

    fn plan(
        &self,
        row: usize,
        actor: &Actor,
        clean: &CleanRow,
        locked: &str,
        created: &mut Created,
        batch: &mut Batch,
    ) -> Result<Planned> {
        let new = NewAccount { actor, locked };
        match clean {
            CleanRow::Patient(patient) => self.plan_patient(patient, new, created, batch),
            CleanRow::Physician(physician) => self.plan_physician(physician, new, created, batch),
            CleanRow::Appointment(appointment) => {
                self.plan_appointment(row, appointment, created, batch)
            }
        }
    }

    fn plan_patient(
        &self,
        patient: &CleanPatient,
        new: NewAccount<'_>,
        created: &mut Created,
        batch: &mut Batch,
    ) -> Result<Planned> {
        if let Some(known) = self.patient_file_with_identifier(&patient.source.key())? {
            return self.plan_patient_update(patient, known, new.actor, batch);
        }
        let profile = patient.profile();
        if let Err(error) = profile.check(self.today()) {
            return Ok(Planned::Refused(format!("profile: {error}")));
        }
        let account = self.new_account(Role::Patient, new, batch)?;
        let file = PatientFile { account, profile };
        batch
            .revisions
            .push(self.patient_files().revision_of(&file, 1)?);
        created.accounts.insert(patient.source.key(), account);
        Ok(Planned::Added)
    }

    /// A patient an earlier run imported: its profile with the row's demographics, if they
    /// change it, added to the batch with the audit event of a profile change.
    fn plan_patient_update(
        &self,
        patient: &CleanPatient,
        known: PatientFile,
        actor: &Actor,
        batch: &mut Batch,
    ) -> Result<Planned> {
        let (profile, changed) = patient.apply_to(&known.profile);
        if changed.is_empty() {
            return Ok(Planned::Unchanged);
        }
        if let Err(error) = profile.check(self.today()) {
            return Ok(Planned::Refused(format!("profile: {error}")));
        }
        let account = known.account;
        let file = PatientFile { account, profile };
        batch
            .revisions
            .push(self.patient_files().next_revision_of(&file)?);
        let edit = HospitalOperation::EditProfile { patient: account };
        batch
            .events
            .push(self.identity.event(actor.clone(), edit.audit_action()));
        Ok(Planned::Updated(changed))
    }

    fn plan_physician(
        &self,
        physician: &CleanPhysician,
        new: NewAccount<'_>,
        created: &mut Created,
        batch: &mut Batch,
    ) -> Result<Planned> {
        if self
            .physician_with_identifier(&physician.source.key())?
            .is_some()
        {
            return Ok(Planned::Unchanged);
        }
        let profile = PhysicianProfile {
            name: physician.name.clone(),
            specialty: physician.specialty.clone(),
            contact: physician.contact.clone(),
            schedule: Schedule::default(),
            identifiers: vec![physician.source.clone()],
        };
        if let Err(error) = profile.check() {
            return Ok(Planned::Refused(format!("profile: {error}")));
        }
        let account = self.new_account(Role::Physician, new, batch)?;
        let stored = Physician {
            account,
            username: username(Role::Physician, account),
            active: true,
            profile,
        };
        batch
            .revisions
            .push(self.physician_documents().revision_of(&stored, 1)?);
        created.accounts.insert(physician.source.key(), account);
        Ok(Planned::Added)
    }

    fn plan_appointment(
        &self,
        row: usize,
        appointment: &CleanAppointment,
        created: &mut Created,
        batch: &mut Batch,
    ) -> Result<Planned> {
        let source = appointment.source.key();
        if !self.appointments().find("source", &source)?.is_empty() {
            return Ok(Planned::Unchanged);
        }
        let Some(patient) = created.account(&appointment.patient.key(), |key| {
            self.patient_with_identifier(key)
        })?
        else {
            return Ok(Planned::Refused(
                "PATIENT: not in the vault; import the patients first".to_owned(),
            ));
        };
        let Some(physician) = created.account(&appointment.physician.key(), |key| {
            self.physician_with_identifier(key)
        })?
        else {
            return Ok(Planned::Refused(
                "PROVIDER: not in the vault; import the physicians first".to_owned(),
            ));
        };
        if appointment.status.holds_slot() {
            let slot = slot_key(physician, appointment.start);
            if created.slots.contains(&slot)
                || self.slot_holder(physician, appointment.start)?.is_some()
            {
                return Ok(Planned::Refused(SLOT_TAKEN.to_owned()));
            }
            created.slots.insert(slot);
        }
        let stored = Appointment {
            id: new_id()?,
            status: appointment.status,
            patient,
            physician,
            start: appointment.start,
            end: appointment.end,
            created_ms: self.identity.now(),
            booked_by: None,
            cancellation: None,
            source: Some(appointment.source.clone()),
        };
        batch.appointments.push((row, stored));
        Ok(Planned::Added)
    }

    /// A new account of `role` with the locking password hash, added to the batch.
    fn new_account(&self, role: Role, new: NewAccount<'_>, batch: &mut Batch) -> Result<AccountId> {
        let id = AccountId::generate()?;
        let (revision, event) = self.identity.account_creation(
            new.actor.clone(),
            id,
            role,
            username(role, id),
            new.locked.to_owned(),
        )?;
        batch.revisions.push(revision);
        batch.events.push(event);
        Ok(id)
    }
}

/// An imported account's username: its role and the start of its random id.
fn username(role: Role, account: AccountId) -> String {
    format!("{}-{}", role.as_str(), &account.to_string()[..12])
}

fn kind_order(kind: ImportKind) -> u8 {
    match kind {
        ImportKind::Patients => 0,
        ImportKind::Physicians => 1,
        ImportKind::Appointments => 2,
    }
}
