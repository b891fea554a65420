//! Identifiers (hospital numbers, ids from imported files) each name one patient, and one
//! physician, at most. Every change that gives a profile an identifier it did not have holds
//! [`IDENTIFIERS`] among every instance sharing the store while it checks and commits: the
//! index it checks is then up to date with what other instances committed, and none of them
//! gives out an identifier meanwhile. Imports hold it for each batch they commit, which also
//! keeps two instances importing one file from creating its rows twice.

use medvault::vault::{Collection, Document, InstanceLock};
use medvault_identity::AccountId;

use crate::Hospital;
use crate::error::{HospitalError, Result};
use crate::profile::Identifier;

/// The topic held among instances while identifiers are given out.
pub(crate) const IDENTIFIERS: &str = "hospital/identifiers";

/// Whose identifiers an identifier must not collide with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Holders {
    Patients,
    Physicians,
}

impl Holders {
    fn as_str(self) -> &'static str {
        match self {
            Self::Patients => "patient",
            Self::Physicians => "physician",
        }
    }
}

impl Hospital {
    /// Runs `work` holding [`IDENTIFIERS`] among every instance when `given` names an
    /// identifier, else as it is. `work` checks them ([`Hospital::check_identifiers`]) and
    /// commits.
    pub(crate) async fn giving_identifiers<T>(
        &self,
        given: &[Identifier],
        work: impl AsyncFnOnce(Option<&InstanceLock>) -> Result<T>,
    ) -> Result<T> {
        if given.is_empty() {
            return work(None).await;
        }
        self.vault()
            .holding(IDENTIFIERS, async |held| work(Some(held)).await)
            .await
    }

    /// Fails with [`HospitalError::IdentifierTaken`] if one of `given` belongs to one of
    /// `holders` other than `account`, and if `held` was taken too long ago to commit.
    pub(crate) fn check_identifiers(
        &self,
        held: Option<&InstanceLock>,
        holders: Holders,
        account: AccountId,
        given: &[Identifier],
    ) -> Result<()> {
        for identifier in given {
            let key = identifier.key();
            let owners = match holders {
                Holders::Patients => owners(self.patient_files(), &key, |file| file.account)?,
                Holders::Physicians => owners(self.physician_documents(), &key, |physician| {
                    physician.account
                })?,
            };
            if owners.iter().any(|owner| *owner != account) {
                return Err(HospitalError::IdentifierTaken {
                    holder: holders.as_str(),
                });
            }
        }
        if let Some(held) = held {
            held.check_in_time()?;
        }
        Ok(())
    }
}

/// The accounts of the documents of `collection` that have the identifier `key`.
fn owners<T: Document>(
    collection: Collection<'_, T>,
    key: &str,
    account: impl Fn(&T) -> AccountId,
) -> Result<Vec<AccountId>> {
    Ok(collection
        .find("identifier", key)?
        .iter()
        .map(account)
        .collect())
}
