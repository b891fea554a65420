//! Exclusive claims on a topic (such as one physician's 09:30 slot) among every writer that
//! shares the store, without conditional writes.
//!
//! A claimant writes `claims/<topic token>/<holder>`, then lists the topic. It wins only if
//! its claim is the only live one there. Of two claimants, the one that lists second sees
//! the first's claim (S3 and a local folder list what was written before), so two can never
//! both see themselves alone. Two that race exactly both withdraw; each waits a random
//! while and contends again, a few times, so that one of them wins and the other then finds
//! it holding the topic. The winner must commit what the claim guards within
//! [`CLAIM_BUDGET`]; a claim whose holder is unknown to the index after a sync and older than
//! [`CLAIM_STALE_AFTER`] is taken for the leftover of a crash and removed.
//!
//! Creating a vault uses the same contest before any key exists, on the constant topic
//! `claims/vault-creation/`: of two instances creating a vault in one store at once, one
//! writes it and the other is told that it exists.

use std::future::{Future, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use object_store::path::Path;

use super::error::{Result, VaultError};
use super::ids::WriterId;
use super::layout;
use super::lifecycle::Vault;
use super::maintenance::replay_log;
use super::store::Store;
use crate::crypto::random_array;

/// How long a winner has to commit what its claim guards.
pub const CLAIM_BUDGET: Duration = Duration::from_secs(60);

/// How old a claim of an unknown holder must be to count as a crash's leftover.
pub const CLAIM_STALE_AFTER: Duration = Duration::from_secs(10 * 60);

/// How many times a claimant looks again after removing stale claims.
const ROUNDS: usize = 3;

/// How many times [`Vault::claim`] contends while it only meets claimants in flight.
const RACE_ATTEMPTS: usize = 6;

/// How one contest for a topic ended.
#[derive(Debug)]
enum Contest {
    /// This claim is the only live one.
    Won(ClaimGuard),
    /// Another claim's holder holds the topic.
    Held,
    /// Another claimant is in flight (it may be winning, or racing this one exactly).
    Raced,
}

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
    /// the topic, or was still claiming it after 6 contests a random 20 to
    /// 200 ms apart; the claim is then withdrawn.
    pub async fn claim(
        &self,
        topic: &str,
        holder: &str,
        state: impl Fn(&str) -> Result<HolderState>,
    ) -> Result<Option<ClaimGuard>> {
        for attempt in 1..=RACE_ATTEMPTS {
            match self.contest(topic, holder, &state).await? {
                Contest::Won(guard) => return Ok(Some(guard)),
                Contest::Held => return Ok(None),
                Contest::Raced if attempt < RACE_ATTEMPTS => back_off().await?,
                Contest::Raced => {}
            }
        }
        Ok(None)
    }

    /// One contest for `topic` ([`contend`]), with the index brought up to date before other
    /// claims are judged.
    async fn contest(
        &self,
        topic: &str,
        holder: &str,
        state: impl Fn(&str) -> Result<HolderState>,
    ) -> Result<Contest> {
        check_holder(holder)?;
        let token = self.shared.keyring().claim_token(topic);
        let shared = &self.shared;
        let sync = move || async move { replay_log(shared, None).await.map(drop) };
        contend(
            &self.shared.store,
            &layout::claims(&token),
            &layout::claim(&token, holder),
            sync,
            state,
        )
        .await
    }

    /// Holds `topic` among every instance sharing the store, waiting its turn while another
    /// instance holds it, then brings the index up to date, so that what the previous holder
    /// committed is seen. Release it with [`InstanceLock::release`] once what it guards is
    /// committed (within [`CLAIM_BUDGET`]). Fails with [`VaultError::Busy`] after waiting
    /// some seconds; a holder that crashed blocks the topic for [`CLAIM_STALE_AFTER`].
    pub async fn lock_across_instances(&self, topic: &str) -> Result<InstanceLock> {
        let holder = WriterId::generate()?.to_string();
        for _ in 0..LOCK_ATTEMPTS {
            let unknown = |_: &str| Ok(HolderState::Unknown);
            if let Contest::Won(claim) = self.contest(topic, &holder, unknown).await? {
                replay_log(&self.shared, None).await?;
                return Ok(InstanceLock {
                    topic: topic.to_owned(),
                    holder,
                    claim,
                });
            }
            back_off().await?;
        }
        Err(VaultError::Busy)
    }

    /// Runs `work` holding `topic` among every instance sharing the store
    /// ([`Vault::lock_across_instances`]: the index is up to date with what the previous
    /// holder committed), then lets the next instance in. What `work` committed stands even
    /// if the lock cannot be withdrawn: it then counts as stale after [`CLAIM_STALE_AFTER`].
    pub async fn holding<T, E: From<VaultError>>(
        &self,
        topic: &str,
        work: impl AsyncFnOnce(&InstanceLock) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let held = self.lock_across_instances(topic).await?;
        let result = work(&held).await;
        let _ = held.release(self).await;
        result
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

/// Writes the claim `own` into `folder`, then contends with the other claims there: it wins
/// if it is the only live one. Before judging others the first time, `sync` brings what
/// `state` knows up to date; stale claims are removed and the folder listed again, up to
/// [`ROUNDS`] times. A lost claim is withdrawn.
async fn contend<Synced: Future<Output = Result<()>>>(
    store: &Store,
    folder: &Path,
    own: &Path,
    sync: impl FnOnce() -> Synced,
    state: impl Fn(&str) -> Result<HolderState>,
) -> Result<Contest> {
    store.put(own, Bytes::new()).await?;
    let won_at = Instant::now();
    let mut sync = Some(sync);
    for _ in 0..ROUNDS {
        let others: Vec<_> = store
            .list(folder)
            .await?
            .into_iter()
            .filter(|meta| &meta.location != own)
            .collect();
        if others.is_empty() {
            return Ok(Contest::Won(ClaimGuard { won_at }));
        }
        if let Some(sync) = sync.take() {
            sync().await?;
        }
        for other in others {
            let name = other.location.filename().unwrap_or_default();
            let age = chrono::Utc::now()
                .signed_duration_since(other.last_modified)
                .to_std()
                .unwrap_or_default();
            let lost = match state(name)? {
                HolderState::Holding => Some(Contest::Held),
                HolderState::Released => None,
                HolderState::Unknown => (age <= CLAIM_STALE_AFTER).then_some(Contest::Raced),
            };
            if let Some(lost) = lost {
                store.delete(own).await?;
                return Ok(lost);
            }
            store.delete(&other.location).await?;
        }
    }
    store.delete(own).await?;
    Ok(Contest::Raced)
}

/// How many times [`Vault::lock_across_instances`] waits its turn (some seconds in all).
const LOCK_ATTEMPTS: usize = 40;

/// A topic held by this instance among every instance sharing the store
/// ([`Vault::lock_across_instances`]).
#[derive(Debug)]
#[must_use = "release the lock once what it guards is committed"]
pub struct InstanceLock {
    topic: String,
    holder: String,
    claim: ClaimGuard,
}

impl InstanceLock {
    /// Fails if the lock was taken longer than [`CLAIM_BUDGET`] ago: by then another
    /// instance may take it for stale.
    pub fn check_in_time(&self) -> Result<()> {
        self.claim.check_in_time()
    }

    /// Lets the next instance in.
    pub async fn release(self, vault: &Vault) -> Result<()> {
        vault.release_claim(&self.topic, &self.holder).await
    }
}

/// How many times a creator that lost a race for the store tries again.
const CREATION_ATTEMPTS: u32 = 8;

/// Claims the right to create a vault in `store`, before any key exists: no descriptor may be
/// there, and this must be the only live creation claim. Returns the won claim's holder id;
/// delete [`layout::creation_claim`] once the descriptor is written (or creation failed). Two
/// creators racing exactly both lose; each waits a random 20 to 200 ms and tries again, so
/// that one goes first and the other then finds its vault.
pub(crate) async fn claim_creation(store: &Store) -> Result<String> {
    let holder = WriterId::generate()?.to_string();
    let own = layout::creation_claim(&holder);
    let claims = layout::creation_claims();
    let exists = || VaultError::VaultExists {
        location: store.location().to_owned(),
    };
    for _ in 0..CREATION_ATTEMPTS {
        if store.get(&layout::descriptor()).await?.is_some() {
            return Err(exists());
        }
        let unknown = |_: &str| Ok(HolderState::Unknown);
        let contest = contend(store, &claims, &own, || ready(Ok(())), unknown);
        if let Contest::Won(_) = contest.await? {
            // A creator that finished before this claim was listed wrote its descriptor
            // before it withdrew its own claim: it is there now.
            if store.get(&layout::descriptor()).await?.is_some() {
                store.delete(&own).await?;
                return Err(exists());
            }
            return Ok(holder);
        }
        back_off().await?;
    }
    Err(VaultError::CreationInProgress {
        location: store.location().to_owned(),
    })
}

/// Waits a random 20 to 200 ms: how a claimant that lost a race to an equal one steps aside
/// before it tries again, so that one of them goes first.
pub async fn back_off() -> Result<()> {
    let [byte] = random_array::<1>()?;
    let wait_ms = 20 + u64::from(byte) * 180 / 255;
    tokio::time::sleep(Duration::from_millis(wait_ms)).await;
    Ok(())
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
        let vault = Vault::create(
            &config,
            UnlockCredential::Passphrase(b"a unit test passphrase"),
        )
        .await?;
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
