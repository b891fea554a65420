//! Exclusive claims on a topic (such as one physician's 09:30 slot) among every writer that
//! shares the store, without conditional writes.
//!
//! A claimant writes `claims/<topic token>/<holder>`, then lists the topic. It wins only if
//! its claim is the only live one there. Of two claimants, the one that lists second sees
//! the first's claim (S3 and a local folder list what was written before), so two can never
//! both see themselves alone; both may lose when they race exactly, and then both are told
//! so. The winner must commit what the claim guards within [`CLAIM_BUDGET`]; a claim whose
//! holder is unknown to the index after a sync and older than [`CLAIM_STALE_AFTER`] is
//! taken for the leftover of a crash and removed.

use std::time::{Duration, Instant};

use bytes::Bytes;

use super::error::{Result, VaultError};
use super::layout;
use super::lifecycle::Vault;
use super::maintenance::replay_log;

/// How long a winner has to commit what its claim guards.
pub const CLAIM_BUDGET: Duration = Duration::from_secs(60);

/// How old a claim of an unknown holder must be to count as a crash's leftover.
pub const CLAIM_STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// How many times a claimant looks again after removing stale claims.
const ROUNDS: usize = 3;

/// What the caller knows of another claim's holder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HolderState {
    /// It holds the topic (its appointment is booked, say).
    Holding,
    /// It is committed and holds the topic no longer (its appointment was cancelled).
    Released,
    /// The index does not know it: in flight, or left by a crash.
    Unknown,
}

/// A won claim; commit what it guards with [`ClaimGuard::check_in_time`] first.
#[derive(Debug)]
pub struct ClaimGuard {
    won_at: Instant,
}

impl ClaimGuard {
    /// Fails if the claim was won longer than [`CLAIM_BUDGET`] ago: by then another writer
    /// may take it for stale.
    pub fn check_in_time(&self) -> Result<()> {
        if self.won_at.elapsed() > CLAIM_BUDGET {
            return Err(VaultError::invalid(
                "claim",
                "it was won too long ago to commit safely; try again",
            ));
        }
        Ok(())
    }
}

impl Vault {
    /// Claims `topic` for `holder` (a random id, 32 hex digits, that names what the claim
    /// guards). `state` tells what another holder is. `Ok(None)` means someone else holds
    /// the topic, or raced for it at the same moment; the claim is then withdrawn.
    pub async fn claim(
        &self,
        topic: &str,
        holder: &str,
        state: impl Fn(&str) -> Result<HolderState>,
    ) -> Result<Option<ClaimGuard>> {
        check_holder(holder)?;
        let token = self.shared.keyring().claim_token(topic);
        let own = layout::claim(&token, holder);
        self.shared.store.put(&own, Bytes::new()).await?;
        let won_at = Instant::now();
        let mut synced = false;
        for _ in 0..ROUNDS {
            let others: Vec<_> = self
                .shared
                .store
                .list(&layout::claims(&token))
                .await?
                .into_iter()
                .filter(|meta| meta.location != own)
                .collect();
            if others.is_empty() {
                return Ok(Some(ClaimGuard { won_at }));
            }
            if !synced {
                replay_log(&self.shared, None, None).await?;
                synced = true;
            }
            for other in others {
                let name = other.location.filename().unwrap_or_default();
                let age = chrono::Utc::now()
                    .signed_duration_since(other.last_modified)
                    .to_std()
                    .unwrap_or_default();
                let stale = match state(name)? {
                    HolderState::Holding => false,
                    HolderState::Released => true,
                    HolderState::Unknown => age > CLAIM_STALE_AFTER,
                };
                if !stale {
                    self.shared.store.delete(&own).await?;
                    return Ok(None);
                }
                self.shared.store.delete(&other.location).await?;
            }
        }
        self.shared.store.delete(&own).await?;
        Ok(None)
    }

    /// Withdraws `holder`'s claim on `topic` (after what it guarded was released).
    pub async fn release_claim(&self, topic: &str, holder: &str) -> Result<()> {
        check_holder(holder)?;
        let token = self.shared.keyring().claim_token(topic);
        self.shared
            .store
            .delete(&layout::claim(&token, holder))
            .await
    }
}

fn check_holder(holder: &str) -> Result<()> {
    if holder.len() == 32 && holder.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(())
    } else {
        Err(VaultError::invalid(
            "claim holder",
            "expected 32 hex digits",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::UnlockCredential;
    use crate::vault::{IndexLocation, MemoryStore, StoreLocation, VaultConfig};

    fn holder(byte: u8) -> String {
        hex::encode([byte; 16])
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn one_claimant_wins_until_the_holder_releases() -> Result<()> {
        let config = VaultConfig::new(
            StoreLocation::Memory(MemoryStore::new()),
            IndexLocation::Temporary,
        );
        let vault = Vault::create(&config, UnlockCredential::Passphrase(b"passphrase")).await?;
        let holding = |_: &str| Ok(HolderState::Holding);
        assert!(vault.claim("slot-1", &holder(1), holding).await?.is_some());
        assert!(vault.claim("slot-1", &holder(2), holding).await?.is_none());
        // Another topic is free; the loser left nothing behind.
        assert!(vault.claim("slot-2", &holder(2), holding).await?.is_some());
        // A released holder's claim is cleared away by the next claimant.
        let released = |name: &str| {
            Ok(if name == holder(1) {
                HolderState::Released
            } else {
                HolderState::Holding
            })
        };
        assert!(vault.claim("slot-1", &holder(3), released).await?.is_some());
        assert!(vault.claim("slot-1", &holder(4), holding).await?.is_none());
        vault.release_claim("slot-1", &holder(3)).await?;
        // A fresh claim of an unknown holder is taken for one in flight.
        let unknown = |_: &str| Ok(HolderState::Unknown);
        assert!(vault.claim("slot-1", &holder(5), unknown).await?.is_some());
        assert!(vault.claim("slot-1", &holder(6), unknown).await?.is_none());
        assert!(vault.claim("slot-1", "not-hex", unknown).await.is_err());
        Ok(())
    }
}
