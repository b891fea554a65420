//! Booking, cancelling and recording appointments. No slot is booked twice: within one vault
//! instance bookings take turns in the bookings section ([`BOOKINGS`]), and across instances
//! sharing a store each booking must win the slot's claim ([`medvault::vault::Vault::claim`]).

use chrono::NaiveDateTime;
use medvault::vault::{ClaimGuard, Collection, HolderState, UpdateGuard};
use medvault_identity::audit::AuditEvent;
use medvault_identity::{AccountId, SessionToken};

use super::appointment::{Appointment, AppointmentStatus, Cancellation, slot_key};
use super::{Hospital, new_id};
use crate::error::{HospitalError, Result};
use crate::operation::HospitalOperation;

/// The section ([`medvault::vault::Vault::lock_section`]) in which this instance's bookings
/// and imports of appointments take turns.
pub(crate) const BOOKINGS: &str = "hospital/bookings";

impl Hospital {
    /// Books the slot of `physician` starting at `start` for `patient`, on behalf of the
    /// patient or an admin. Fails with [`HospitalError::SlotUnavailable`] if the physician
    /// offers no slot then, or someone holds it (or is booking it at this very moment).
    pub async fn book(
        &self,
        session: &SessionToken,
        patient: AccountId,
        physician: AccountId,
        start: NaiveDateTime,
    ) -> Result<Appointment> {
        let (who, event) = self
            .permit_change(session, HospitalOperation::BookAppointment { patient })
            .await?;
        self.identity.require_patient(patient)?;
        let schedule = self.active_physician(physician)?.profile.schedule;
        if start <= self.now() {
            return Err(HospitalError::SlotUnavailable("it has already begun"));
        }
        if !schedule.offers(start) {
            return Err(HospitalError::SlotUnavailable(
                "the physician offers no slot at this time",
            ));
        }
        let appointment = Appointment {
            id: new_id()?,
            status: AppointmentStatus::Booked,
            patient,
            physician,
            start,
            end: start + schedule.slot_length(),
            created_ms: self.identity.now(),
            booked_by: Some(who.account),
            cancellation: None,
            source: None,
        };
        // Bookings on this instance take turns; a claim that waits on the store holds up
        // other bookings only, not logins or other account changes.
        let _bookings = self.vault().lock_section(BOOKINGS).await;
        // This index may lag behind other instances: a slot it sees taken may have been
        // released since, so look again after catching up.
        if self.slot_holder(physician, start)?.is_some() {
            self.vault().sync().await?;
            if self.slot_holder(physician, start)?.is_some() {
                return Err(HospitalError::SlotUnavailable("it is booked"));
            }
        }
        let claim = self
            .claim_slot(&appointment)
            .await?
            .ok_or(HospitalError::SlotUnavailable("it is booked"))?;
        let committed = match claim.check_in_time() {
            Ok(()) => {
                let guard = self.vault().lock_updates().await;
                self.commit_appointment(&guard, None, &appointment, event)
                    .await
            }
            Err(error) => Err(error.into()),
        };
        if let Err(error) = committed {
            // The booking is not acknowledged: free the slot (a claim left behind is cleared
            // by the next claimant once it is stale).
            self.release_slot(&appointment).await;
            return Err(error);
        }
        Ok(appointment)
    }

    /// Cancels a booked (or proposed, pending, waitlisted) appointment, on behalf of its
    /// patient, its physician or an admin; the slot is free again.
    pub async fn cancel(
        &self,
        session: &SessionToken,
        appointment: &str,
        reason: &str,
    ) -> Result<Appointment> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(super::profile::invalid(
                "reason",
                "state it in 1 to 500 characters",
            ));
        }
        let stored = self.stored_appointment(appointment)?;
        let (who, event) = self
            .permit_change(
                session,
                HospitalOperation::CancelAppointment {
                    patient: stored.patient,
                    physician: stored.physician,
                },
            )
            .await?;
        let cancellation = Cancellation {
            by: who.account,
            reason: reason.to_owned(),
            at_ms: self.identity.now(),
        };
        self.change_status(appointment, event, |current| {
            use AppointmentStatus::*;
            match current.status {
                Proposed | Pending | Booked | Waitlist => Ok(Appointment {
                    status: Cancelled,
                    cancellation: Some(cancellation),
                    ..current.clone()
                }),
                _ => Err(super::profile::invalid(
                    "appointment",
                    format!("it is {} and cannot be cancelled", current.status.as_str()),
                )),
            }
        })
        .await
    }

    /// Records what became of a booked appointment — `arrived`, `checked-in`, `fulfilled`,
    /// `noshow` or `entered-in-error` — on behalf of its physician or an admin.
    pub async fn record_attendance(
        &self,
        session: &SessionToken,
        appointment: &str,
        status: AppointmentStatus,
    ) -> Result<Appointment> {
        use AppointmentStatus::*;
        if !matches!(
            status,
            Arrived | CheckedIn | Fulfilled | Noshow | EnteredInError
        ) {
            return Err(super::profile::invalid(
                "status",
                "expected arrived, checked-in, fulfilled, noshow or entered-in-error",
            ));
        }
        let stored = self.stored_appointment(appointment)?;
        let (_, event) = self
            .permit_change(
                session,
                HospitalOperation::RecordAttendance {
                    physician: stored.physician,
                },
            )
            .await?;
        self.change_status(appointment, event, |current| {
            if matches!(current.status, Booked | Arrived | CheckedIn) {
                Ok(Appointment {
                    status,
                    ..current.clone()
                })
            } else {
                Err(super::profile::invalid(
                    "appointment",
                    format!(
                        "it is {} and cannot change to {}",
                        current.status.as_str(),
                        status.as_str()
                    ),
                ))
            }
        })
        .await
    }

    /// `patient`'s appointments by start, for the patient or an admin; audited.
    pub async fn patient_appointments(
        &self,
        session: &SessionToken,
        patient: AccountId,
    ) -> Result<Vec<Appointment>> {
        self.listed(session, patient, "patient").await
    }

    /// `physician`'s appointments by start, for the physician or an admin; audited.
    pub async fn physician_appointments(
        &self,
        session: &SessionToken,
        physician: AccountId,
    ) -> Result<Vec<Appointment>> {
        self.listed(session, physician, "physician").await
    }

    async fn listed(
        &self,
        session: &SessionToken,
        account: AccountId,
        field: &str,
    ) -> Result<Vec<Appointment>> {
        self.identity
            .authorize(session, HospitalOperation::ListAppointments { account })
            .await?;
        let mut found = self.appointments().find(field, &account.to_string())?;
        found.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        Ok(found)
    }

    /// Commits `change` of the stored appointment, with `event`; a status that no longer
    /// holds the slot withdraws its claim.
    async fn change_status(
        &self,
        appointment: &str,
        event: AuditEvent,
        change: impl FnOnce(&Appointment) -> Result<Appointment>,
    ) -> Result<Appointment> {
        let changed = {
            let guard = self.vault().lock_updates().await;
            let stored = self.stored_appointment(appointment)?;
            let changed = change(&stored)?;
            self.commit_appointment(&guard, Some(&stored), &changed, event)
                .await?;
            changed
        };
        if !changed.status.holds_slot() {
            // Acknowledged already; a claim left by a failure here is cleared as stale by
            // the next claimant, which finds the appointment released.
            self.release_slot(&changed).await;
        }
        Ok(changed)
    }

    /// Commits `after`, new or the change of `before` as stored, with `event` and this
    /// instance's tallies of the days it changes, in one batch; hold `held` from reading
    /// `before` to here.
    async fn commit_appointment(
        &self,
        held: &UpdateGuard<'_>,
        before: Option<&Appointment>,
        after: &Appointment,
        event: AuditEvent,
    ) -> Result<()> {
        let mut revisions = vec![self.appointments().next_revision_of(after)?];
        revisions.extend(self.tally_revisions(held, &[(before, after)])?);
        Ok(self.identity.commit(revisions, vec![event]).await?)
    }

    /// The appointment holding `physician`'s slot at `start`, if any (in this index).
    pub(crate) fn slot_holder(
        &self,
        physician: AccountId,
        start: NaiveDateTime,
    ) -> Result<Option<Appointment>> {
        Ok(self
            .appointments()
            .find("slot", &slot_key(physician, start))?
            .into_iter()
            .find(|appointment| appointment.status.holds_slot()))
    }

    /// Claims `appointment`'s slot among every instance sharing the store: `None` if another
    /// appointment holds it or is being booked into it right now. The claim stays while the
    /// appointment holds the slot.
    pub(crate) async fn claim_slot(&self, appointment: &Appointment) -> Result<Option<ClaimGuard>> {
        Ok(self
            .vault()
            .claim(&slot_topic(appointment), &appointment.id, |holder| {
                self.holder_state(holder)
            })
            .await?)
    }

    /// Withdraws `appointment`'s claim on its slot (it was not committed, or holds the slot no
    /// longer). A claim that cannot be withdrawn is cleared as stale by the next claimant.
    pub(crate) async fn release_slot(&self, appointment: &Appointment) {
        let _ = self
            .vault()
            .release_claim(&slot_topic(appointment), &appointment.id)
            .await;
    }

    fn holder_state(&self, holder: &str) -> medvault::vault::Result<HolderState> {
        Ok(match self.appointments().get(holder)? {
            Some(appointment) if appointment.status.holds_slot() => HolderState::Holding,
            Some(_) => HolderState::Released,
            None => HolderState::Unknown,
        })
    }

    fn stored_appointment(&self, id: &str) -> Result<Appointment> {
        self.appointments().get(id)?.ok_or(HospitalError::NotFound {
            what: "appointment",
        })
    }

    pub(crate) fn appointments(&self) -> Collection<'_, Appointment> {
        self.vault().collection()
    }
}

/// The claim topic of an appointment's slot.
fn slot_topic(appointment: &Appointment) -> String {
    format!(
        "slot/{}",
        slot_key(appointment.physician, appointment.start)
    )
}
