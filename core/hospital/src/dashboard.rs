//! The admin dashboard: the physicians who saw the most distinct patients, and how many
//! distinct patients came each day, over a date range.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use medvault_identity::audit::Actor;
use medvault_identity::policy::Permission;
use medvault_identity::{AccountId, SessionToken};
use serde::{Deserialize, Serialize};

use super::Hospital;
use super::schedule::days;
use crate::error::Result;
use crate::operation::HospitalOperation;

/// The longest range one dashboard covers, in days.
pub const MAX_DASHBOARD_DAYS: i64 = 366;

/// How many physicians the dashboard ranks.
pub const TOP_PHYSICIANS: usize = 5;

/// A patient on the dashboard.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PatientRef {
    /// The patient's account.
    pub account: AccountId,
    /// Their name, if they have a profile.
    pub name: Option<String>,
}

debug_without_patient_data!(PatientRef { account });

/// One of the physicians who saw the most distinct patients.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhysicianPatients {
    /// The physician.
    pub physician: AccountId,
    /// Their username.
    pub username: String,
    /// Their name.
    pub name: String,
    /// The distinct patients, by account.
    pub patients: Vec<PatientRef>,
}

/// The distinct patients of one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyCount {
    /// The day.
    pub day: NaiveDate,
    /// How many distinct patients had an appointment.
    pub patients: u64,
}

/// The dashboard over `from` to `to`. Counted are appointments that hold their slot
/// (booked, arrived, checked in or fulfilled), by the day they start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
    /// The [`TOP_PHYSICIANS`] physicians with the most distinct patients, most first (ties
    /// by username).
    pub top_physicians: Vec<PhysicianPatients>,
    /// Every day of the range, in order.
    pub daily: Vec<DailyCount>,
}

impl Hospital {
    /// The dashboard from `from` to `to` (days included, at most [`MAX_DASHBOARD_DAYS`]),
    /// for an admin; audited.
    pub async fn dashboard(
        &self,
        session: &SessionToken,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Dashboard> {
        let days = days(from, to, MAX_DASHBOARD_DAYS)?;
        self.identity
            .authorize(session, HospitalOperation::ViewDashboard)
            .await?;
        self.compute_dashboard(days).await
    }

    /// [`Hospital::dashboard`] for the operator who unlocked the vault (the command line);
    /// audited as the operator's.
    pub async fn operator_dashboard(&self, from: NaiveDate, to: NaiveDate) -> Result<Dashboard> {
        let days = days(from, to, MAX_DASHBOARD_DAYS)?;
        let event = self.identity.event(
            Actor::Operator,
            HospitalOperation::ViewDashboard.audit_action(),
        );
        self.identity.log_audit(vec![event]).await?;
        self.compute_dashboard(days).await
    }

    /// The dashboard from the tallies of `days` ([`super::tallies`]), without opening an
    /// appointment.
    async fn compute_dashboard(&self, days: Vec<NaiveDate>) -> Result<Dashboard> {
        let (from, to) = match (days.first(), days.last()) {
            (Some(from), Some(to)) => (*from, *to),
            _ => return Err(super::profile::invalid("date range", "it is empty")),
        };
        let counts = self.day_counts(&days).await?;
        let mut by_physician: HashMap<AccountId, BTreeSet<AccountId>> = HashMap::new();
        let mut daily = Vec::with_capacity(days.len());
        for (day, counts) in days.into_iter().zip(&counts) {
            let mut patients = BTreeSet::new();
            for (physician, held) in counts.held() {
                patients.extend(held.iter().copied());
                by_physician.entry(physician).or_default().extend(held);
            }
            daily.push(DailyCount {
                day,
                patients: patients.len() as u64,
            });
        }
        Ok(Dashboard {
            from,
            to,
            top_physicians: self.top_physicians(by_physician)?,
            daily,
        })
    }

    fn top_physicians(
        &self,
        by_physician: HashMap<AccountId, BTreeSet<AccountId>>,
    ) -> Result<Vec<PhysicianPatients>> {
        let mut ranked = by_physician
            .into_iter()
            .map(|(physician, patients)| {
                let known = self.physician_documents().get(&physician.to_string())?;
                let (username, name) = known
                    .map(|stored| (stored.username, stored.profile.name.text()))
                    .unwrap_or_default();
                Ok((patients, username, name, physician))
            })
            .collect::<Result<Vec<_>>>()?;
        ranked.sort_by(|a, b| (b.0.len(), &a.1, a.3).cmp(&(a.0.len(), &b.1, b.3)));
        ranked.truncate(TOP_PHYSICIANS);
        let mut names = BTreeMap::new();
        ranked
            .into_iter()
            .map(|(patients, username, name, physician)| {
                let mut patients = patients
                    .into_iter()
                    .map(|account| self.patient_ref(account, &mut names))
                    .collect::<Result<Vec<_>>>()?;
                patients.sort();
                Ok(PhysicianPatients {
                    physician,
                    username,
                    name,
                    patients,
                })
            })
            .collect()
    }

    /// A patient with their name, looked up once per dashboard.
    fn patient_ref(
        &self,
        account: AccountId,
        names: &mut BTreeMap<AccountId, Option<String>>,
    ) -> Result<PatientRef> {
        if let Some(name) = names.get(&account) {
            return Ok(PatientRef {
                account,
                name: name.clone(),
            });
        }
        let name = self
            .patient_files()
            .get(&account.to_string())?
            .map(|file| file.profile.name.text());
        names.insert(account, name.clone());
        Ok(PatientRef { account, name })
    }
}
