//! Account changes held among every instance sharing the store: a change to one account
//! holds that account's topic, and the removal of an admin also holds the admins' topic, so
//! that no two instances change one account from the same revision or remove the last two
//! admins at once.

use super::account::AccountId;

/// The topic an account is held under while it changes.
pub(crate) fn account_topic(account: AccountId) -> String {
    format!("account:{account}")
}

/// The topic held while an admin is removed.
pub(crate) const ADMINS_TOPIC: &str = "admins";
