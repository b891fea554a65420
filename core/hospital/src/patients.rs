//! Patient registration and profiles.

use medvault::vault::Collection;
use medvault_identity::audit::Actor;
use medvault_identity::{AccountId, Operation, Role, SessionToken};

use super::Hospital;
use super::identifiers::Holders;
use super::profile::{Identifier, PatientFile, PatientProfile};
use crate::error::{HospitalError, Result};
use crate::operation::HospitalOperation;

impl Hospital {
    /// Registers a patient (patients register themselves): an account and its profile, in
    /// one batch. The TOTP factor is enrolled next ([`medvault_identity::Identity::enroll_totp`]).
    pub async fn register_patient(
        &self,
        username: &str,
        password: &str,
        profile: &PatientProfile,
    ) -> Result<AccountId> {
        self.create_patient(None, username, password, profile).await
    }

    /// Registers a patient on behalf of the admin holding `session` (a front desk).
    pub async fn admin_register_patient(
        &self,
        session: &SessionToken,
        username: &str,
        password: &str,
        profile: &PatientProfile,
    ) -> Result<AccountId> {
        let (admin, _) = self
            .permit_change(
                session,
                Operation::ManageAccounts {
                    role: Role::Patient,
                },
            )
            .await?;
        self.create_patient(Some(admin.actor()), username, password, profile)
            .await
    }

    pub(crate) async fn create_patient(
        &self,
        by: Option<Actor>,
        username: &str,
        password: &str,
        profile: &PatientProfile,
    ) -> Result<AccountId> {
        profile.check(self.today())?;
        let given = &profile.identifiers;
        self.giving_identifiers(given, async |held| {
            self.identity
                .create_with(by, Role::Patient, username, password, |account, _| {
                    self.check_identifiers(held, Holders::Patients, account, given)?;
                    let file = PatientFile {
                        account,
                        profile: profile.clone(),
                    };
                    Ok(vec![self.patient_files().revision_of(&file, 1)?])
                })
                .await
        })
        .await
    }

    /// `patient`'s profile, for the patient, a physician or an admin; the read is audited.
    pub async fn patient_profile(
        &self,
        session: &SessionToken,
        patient: AccountId,
    ) -> Result<PatientProfile> {
        self.identity
            .authorize(session, HospitalOperation::ReadProfile { patient })
            .await?;
        self.stored_profile(patient)
    }

    /// Replaces `patient`'s profile, for the patient or an admin; audited.
    pub async fn update_patient_profile(
        &self,
        session: &SessionToken,
        patient: AccountId,
        profile: &PatientProfile,
    ) -> Result<()> {
        let (_, event) = self
            .permit_change(session, HospitalOperation::EditProfile { patient })
            .await?;
        profile.check(self.today())?;
        let stored = self.stored_profile(patient)?;
        let given: Vec<Identifier> = profile
            .identifiers
            .iter()
            .filter(|identifier| !stored.identifiers.contains(identifier))
            .cloned()
            .collect();
        self.giving_identifiers(&given, async |held| {
            let _guard = self.vault().lock_updates().await;
            self.stored_profile(patient)?;
            self.check_identifiers(held, Holders::Patients, patient, &given)?;
            let file = PatientFile {
                account: patient,
                profile: profile.clone(),
            };
            let revision = self.patient_files().next_revision_of(&file)?;
            Ok(self.identity.commit(vec![revision], vec![event]).await?)
        })
        .await
    }

    /// The patient known by `identifier` (a hospital number, an id from an imported file),
    /// for a physician or an admin; audited.
    pub async fn find_patient(
        &self,
        session: &SessionToken,
        identifier: &Identifier,
    ) -> Result<Option<AccountId>> {
        self.identity
            .authorize(session, HospitalOperation::FindPatients)
            .await?;
        self.patient_with_identifier(&identifier.key())
    }

    /// The patient whose profile has the identifier `key` ([`Identifier::key`]).
    pub(crate) fn patient_with_identifier(&self, key: &str) -> Result<Option<AccountId>> {
        Ok(self
            .patient_file_with_identifier(key)?
            .map(|file| file.account))
    }

    /// The stored profile, with its account, that has the identifier `key`.
    pub(crate) fn patient_file_with_identifier(&self, key: &str) -> Result<Option<PatientFile>> {
        Ok(self
            .patient_files()
            .find("identifier", key)?
            .into_iter()
            .next())
    }

    pub(crate) fn stored_profile(&self, patient: AccountId) -> Result<PatientProfile> {
        self.patient_files()
            .get(&patient.to_string())?
            .map(|file| file.profile)
            .ok_or(HospitalError::NotFound {
                what: "patient profile",
            })
    }

    pub(crate) fn patient_files(&self) -> Collection<'_, PatientFile> {
        self.vault().collection()
    }
}
