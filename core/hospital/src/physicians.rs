//! Physicians: added and removed by admins, with their practice and schedule.

use medvault::vault::Collection;
use medvault_identity::audit::Actor;
use medvault_identity::{AccountId, Operation, Role, SessionToken};

use super::Hospital;
use super::identifiers::Holders;
use super::profile::{Physician, PhysicianProfile};
use super::schedule::Schedule;
use crate::error::{HospitalError, Result};
use crate::operation::HospitalOperation;

impl Hospital {
    /// Adds a physician on behalf of the admin holding `session`: an account and its
    /// profile, in one batch. The specialty is stored trimmed and lowercase.
    pub async fn add_physician(
        &self,
        session: &SessionToken,
        username: &str,
        password: &str,
        profile: &PhysicianProfile,
    ) -> Result<AccountId> {
        let (admin, _) = self
            .permit_change(
                session,
                Operation::ManageAccounts {
                    role: Role::Physician,
                },
            )
            .await?;
        self.create_physician(Some(admin.actor()), username, password, profile)
            .await
    }

    pub(crate) async fn create_physician(
        &self,
        by: Option<Actor>,
        username: &str,
        password: &str,
        profile: &PhysicianProfile,
    ) -> Result<AccountId> {
        let profile = normalised(profile);
        profile.check()?;
        let given = &profile.identifiers;
        self.giving_identifiers(given, async |held| {
            self.identity
                .create_with(
                    by,
                    Role::Physician,
                    username,
                    password,
                    |account, username| {
                        self.check_identifiers(held, Holders::Physicians, account, given)?;
                        let physician = Physician {
                            account,
                            username: username.to_owned(),
                            active: true,
                            profile: profile.clone(),
                        };
                        Ok(vec![self.physician_documents().revision_of(&physician, 1)?])
                    },
                )
                .await
        })
        .await
    }

    /// Removes a physician on behalf of an admin: the account goes (its sessions end), the
    /// profile stays, inactive, and everything they wrote stays attributed to them.
    pub async fn remove_physician(
        &self,
        session: &SessionToken,
        physician: AccountId,
    ) -> Result<()> {
        let (admin, _) = self
            .permit_change(
                session,
                Operation::ManageAccounts {
                    role: Role::Physician,
                },
            )
            .await?;
        self.stored_physician(physician)?;
        self.identity
            .remove_with(admin.actor(), physician, || {
                let mut stored = self.stored_physician(physician)?;
                stored.active = false;
                Ok(vec![self.physician_documents().next_revision_of(&stored)?])
            })
            .await
    }

    /// Replaces a physician's weekly hours, leave and slot length, for the physician or an
    /// admin; audited. Appointments already booked stay.
    pub async fn set_schedule(
        &self,
        session: &SessionToken,
        physician: AccountId,
        schedule: &Schedule,
    ) -> Result<()> {
        let (_, event) = self
            .permit_change(session, HospitalOperation::ManageSchedule { physician })
            .await?;
        schedule.check()?;
        let _guard = self.vault().lock_updates().await;
        let mut stored = self.active_physician(physician)?;
        stored.profile.schedule = schedule.clone();
        let revision = self.physician_documents().next_revision_of(&stored)?;
        Ok(self.identity.commit(vec![revision], vec![event]).await?)
    }

    /// A physician, active or not, for any account.
    pub async fn physician(
        &self,
        session: &SessionToken,
        physician: AccountId,
    ) -> Result<Physician> {
        self.identity
            .permit(session, HospitalOperation::SearchAvailability)
            .await?;
        self.stored_physician(physician)
    }

    /// The active physicians, of `specialty` if given, by username; for any account.
    pub async fn physicians(
        &self,
        session: &SessionToken,
        specialty: Option<&str>,
    ) -> Result<Vec<Physician>> {
        self.identity
            .permit(session, HospitalOperation::SearchAvailability)
            .await?;
        self.active_physicians(None, specialty)
    }

    /// The active physicians named by `username` and of `specialty` (each if given).
    pub(crate) fn active_physicians(
        &self,
        username: Option<&str>,
        specialty: Option<&str>,
    ) -> Result<Vec<Physician>> {
        let specialty = specialty.map(normalise_specialty);
        let mut found = match (username, &specialty) {
            (Some(username), _) => self
                .physician_documents()
                .find("username", &username.to_lowercase())?,
            (None, Some(specialty)) => self.physician_documents().find("specialty", specialty)?,
            (None, None) => self.physician_documents().find("active", "yes")?,
        };
        found.retain(|physician| {
            physician.active
                && specialty
                    .as_ref()
                    .is_none_or(|wanted| *wanted == physician.profile.specialty)
        });
        found.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(found)
    }

    /// The physician whose profile has the identifier `key`, active or not.
    pub(crate) fn physician_with_identifier(&self, key: &str) -> Result<Option<AccountId>> {
        Ok(self
            .physician_documents()
            .find("identifier", key)?
            .first()
            .map(|physician| physician.account))
    }

    pub(crate) fn stored_physician(&self, physician: AccountId) -> Result<Physician> {
        self.physician_documents()
            .get(&physician.to_string())?
            .ok_or(HospitalError::NotFound { what: "physician" })
    }

    pub(crate) fn active_physician(&self, physician: AccountId) -> Result<Physician> {
        Some(self.stored_physician(physician)?)
            .filter(|stored| stored.active)
            .ok_or(HospitalError::NotFound {
                what: "active physician",
            })
    }

    pub(crate) fn physician_documents(&self) -> Collection<'_, Physician> {
        self.vault().collection()
    }
}

/// A specialty as stored: trimmed, lowercase, single spaces.
pub(crate) fn normalise_specialty(specialty: &str) -> String {
    specialty
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn normalised(profile: &PhysicianProfile) -> PhysicianProfile {
    PhysicianProfile {
        specialty: normalise_specialty(&profile.specialty),
        ..profile.clone()
    }
}
