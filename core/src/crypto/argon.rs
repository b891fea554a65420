//! Argon2id parameters and raw derivation, shared by unlock slots and password hashing.

use argon2::{Algorithm, Argon2, AssociatedData, ParamsBuilder, Version};

use super::error::{CryptoError, Result};

/// Argon2id cost parameters (version 0x13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argon2idParams {
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
}

/// OWASP's Argon2id configurations (memory in KiB, iterations), all with parallelism 1: a
/// parameter set is strong enough when it is at or above one of them in both costs.
const OWASP_CONFIGURATIONS: [(u32, u32); 5] = [
    (47_104, 1),
    (19_456, 2),
    (12_288, 3),
    (9_216, 4),
    (7_168, 5),
];

/// Upper bounds for parameters read from storage, so that a tampered slot or hash cannot make
/// an unlock allocate without limit or run for hours.
const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;
const MAX_ITERATIONS: u32 = 64;
const MAX_PARALLELISM: u32 = 64;

impl Argon2idParams {
    /// OWASP's minimum: 19 MiB, 2 iterations, parallelism 1. The default for people's
    /// passwords, which are checked at every login.
    pub const OWASP_MINIMUM: Self = Self {
        memory_kib: 19_456,
        iterations: 2,
        parallelism: 1,
    };

    /// Default for passphrase unlock slots: 64 MiB, 3 iterations, parallelism 1.
    pub const UNLOCK_SLOT_DEFAULT: Self = Self {
        memory_kib: 65_536,
        iterations: 3,
        parallelism: 1,
    };

    /// Parameters for new hashes and slots. They must be at or above one of OWASP's
    /// configurations (for example 19 MiB with 2 iterations) and within 4 GiB, 64 iterations
    /// and 64 lanes.
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Self> {
        let params = Self::from_stored(memory_kib, iterations, parallelism)?;
        if !params.meets_owasp_minimum() {
            return Err(CryptoError::InvalidParameter(
                "Argon2id parameters are below the OWASP minimum (e.g. 19 MiB with 2 iterations)",
            ));
        }
        Ok(params)
    }

    /// Whether both costs are at or above one of OWASP's configurations.
    pub fn meets_owasp_minimum(&self) -> bool {
        OWASP_CONFIGURATIONS
            .iter()
            .any(|&(memory, time)| self.memory_kib >= memory && self.iterations >= time)
    }

    /// Parameters read back from storage: only the upper bounds and Argon2's own rules apply,
    /// so that older, weaker hashes still verify (and report that they need a rehash).
    pub(crate) fn from_stored(memory_kib: u32, iterations: u32, parallelism: u32) -> Result<Self> {
        if memory_kib > MAX_MEMORY_KIB
            || iterations > MAX_ITERATIONS
            || parallelism > MAX_PARALLELISM
        {
            return Err(CryptoError::InvalidParameter(
                "Argon2id parameters exceed 4 GiB, 64 iterations or 64 lanes",
            ));
        }
        if parallelism == 0 || iterations == 0 || memory_kib < 8 * parallelism {
            return Err(CryptoError::InvalidParameter(
                "Argon2id needs at least one lane, one iteration and 8 KiB per lane",
            ));
        }
        Ok(Self {
            memory_kib,
            iterations,
            parallelism,
        })
    }

    /// Memory cost in KiB.
    pub fn memory_kib(&self) -> u32 {
        self.memory_kib
    }

    /// Number of passes over memory.
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Number of lanes.
    pub fn parallelism(&self) -> u32 {
        self.parallelism
    }

    /// The `argon2` crate's hasher for these parameters, with an optional secret (pepper) and
    /// associated data.
    pub(crate) fn hasher<'k>(
        &self,
        secret: &'k [u8],
        associated_data: &[u8],
    ) -> Result<Argon2<'k>> {
        let invalid = |_| CryptoError::InvalidParameter("Argon2id rejected these parameters");
        let data = AssociatedData::new(associated_data).map_err(invalid)?;
        let params = ParamsBuilder::new()
            .m_cost(self.memory_kib)
            .t_cost(self.iterations)
            .p_cost(self.parallelism)
            .data(data)
            .build()
            .map_err(invalid)?;
        if secret.is_empty() {
            Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
        } else {
            Argon2::new_with_secret(secret, Algorithm::Argon2id, Version::V0x13, params)
                .map_err(invalid)
        }
    }

    /// Derives `out.len()` bytes from `password` and `salt` (no secret, no associated data).
    pub(crate) fn derive(&self, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<()> {
        self.hasher(&[], &[])?
            .hash_password_into(password, salt, out)
            .map_err(|_| {
                CryptoError::InvalidParameter("Argon2id derivation failed (salt or output length)")
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::test_vectors;

    #[test]
    fn owasp_table_is_enforced_for_new_parameters() {
        assert!(Argon2idParams::new(19_456, 2, 1).is_ok());
        assert!(Argon2idParams::new(47_104, 1, 1).is_ok());
        assert!(Argon2idParams::new(7_168, 5, 1).is_ok());
        assert!(Argon2idParams::new(19_455, 2, 1).is_err());
        assert!(Argon2idParams::new(19_456, 1, 1).is_err());
        assert!(Argon2idParams::new(65_536, 100, 1).is_err());
        assert!(Argon2idParams::from_stored(32, 3, 4).is_ok());
        assert!(Argon2idParams::from_stored(u32::MAX, 3, 1).is_err());
    }

    /// RFC 9106 §5.3: Argon2id with a secret and associated data, through the same hasher the
    /// engine uses.
    #[test]
    fn rfc9106_argon2id_vector() {
        let vectors = test_vectors::standards();
        let v = &vectors["rfc9106_5_3_argon2id"];
        let hex_field = |name: &str| test_vectors::hex_field(v, name);
        let number = |name: &str| v[name].as_u64().expect("number") as u32;
        let params = Argon2idParams::from_stored(
            number("memory_kib"),
            number("iterations"),
            number("parallelism"),
        )
        .expect("RFC parameters are valid Argon2 parameters");
        let secret = hex_field("secret");
        let mut tag = vec![0u8; number("tag_length") as usize];
        params
            .hasher(&secret, &hex_field("associated_data"))
            .expect("hasher")
            .hash_password_into(&hex_field("password"), &hex_field("salt"), &mut tag)
            .expect("derivation");
        assert_eq!(tag, hex_field("tag"));
        assert_eq!(number("version"), 0x13);
    }
}
