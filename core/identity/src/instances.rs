//! Account changes held among every instance sharing the store: a change to one account
//! holds that account's topic, and the removal of an admin also holds the admins' topic, so
//! that no two instances change one account from the same revision or remove the last two
//! admins at once.

use medvault::vault::InstanceLock;

use super::account::AccountId;
use super::error::IdentityError;
use super::service::Identity;

/// The topic an account is held under while it changes.
pub(crate) fn account_topic(account: AccountId) -> String {
    format!("account:{account}")
}

/// The topic held while an admin is removed.
pub(crate) const ADMINS_TOPIC: &str = "admins";

impl Identity {
    /// Runs `work` holding `topic` among every instance sharing the store (the index is up to
    /// date with what the previous holder committed), then lets the next instance in. What
    /// `work` committed stands even if the lock cannot be withdrawn: it then counts as stale
    /// after [`medvault::vault::CLAIM_STALE_AFTER`].
    pub(crate) async fn holding<T, E: From<IdentityError>>(
        &self,
        topic: &str,
        work: impl AsyncFnOnce(&InstanceLock) -> Result<T, E>,
    ) -> Result<T, E> {
        let held = self
            .vault
            .lock_across_instances(topic)
            .await
            .map_err(IdentityError::from)?;
        let result = work(&held).await;
        let _ = held.release(&self.vault).await;
        result
    }
}
