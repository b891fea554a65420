//! S3 locations (any S3-compatible server), behind the engine's `s3` feature.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::prefix::PrefixStore;
use object_store::{BackoffConfig, ObjectStore, RetryConfig};

use super::error::{Result, VaultError};

/// An S3 bucket and prefix with the settings to reach it.
///
/// Settings follow the conventions of the `object_store` crate: `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`, `AWS_ENDPOINT_URL` (for
/// S3-compatible servers) and `AWS_ALLOW_HTTP`, read by [`S3Location::from_env`], and any of
/// them overridden with [`S3Location::with_option`].
#[derive(Clone)]
pub struct S3Location {
    bucket: String,
    prefix: String,
    options: Vec<(AmazonS3ConfigKey, String)>,
    from_env: bool,
}

impl S3Location {
    /// `s3://bucket[/prefix]`, with settings from the environment.
    pub fn from_env(url: &str) -> Result<Self> {
        let mut location = Self::new(url)?;
        location.from_env = true;
        Ok(location)
    }

    /// `s3://bucket[/prefix]`, with only the settings given by [`S3Location::with_option`].
    pub fn new(url: &str) -> Result<Self> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| VaultError::invalid("S3 URL", "it must start with s3://"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(VaultError::invalid("S3 URL", "it names no bucket"));
        }
        Ok(Self {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
            options: Vec::new(),
            from_env: false,
        })
    }

    /// Sets one option by its `object_store` name (`aws_endpoint`, `aws_region`,
    /// `aws_access_key_id`, `aws_secret_access_key`, `aws_allow_http`, ...).
    pub fn with_option(mut self, key: &str, value: impl Into<String>) -> Result<Self> {
        let key = AmazonS3ConfigKey::from_str(key)
            .map_err(|_| VaultError::invalid("S3 option", format!("unknown option {key}")))?;
        self.options.push((key, value.into()));
        Ok(self)
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The location as a URL.
    pub fn url(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }

    fn endpoint(&self, builder: &AmazonS3Builder) -> String {
        builder
            .get_config_value(&AmazonS3ConfigKey::Endpoint)
            .unwrap_or_else(|| "AWS S3".to_owned())
    }

    pub(crate) fn build(&self) -> Result<(Arc<dyn ObjectStore>, String)> {
        let mut builder = if self.from_env {
            AmazonS3Builder::from_env()
        } else {
            AmazonS3Builder::new()
        };
        builder = builder.with_bucket_name(&self.bucket);
        for (key, value) in &self.options {
            builder = builder.with_config(*key, value);
        }
        let endpoint = self.endpoint(&builder);
        let store = builder
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 3,
                retry_timeout: Duration::from_secs(15),
            })
            .build()
            .map_err(|error| VaultError::invalid("S3 settings", error.to_string()))?;
        let store: Arc<dyn ObjectStore> = if self.prefix.is_empty() {
            Arc::new(store)
        } else {
            Arc::new(PrefixStore::new(store, self.prefix.as_str()))
        };
        Ok((store, endpoint))
    }
}

impl fmt::Debug for S3Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<String> = self
            .options
            .iter()
            .map(|(key, _)| key.as_ref().to_owned())
            .collect();
        f.debug_struct("S3Location")
            .field("url", &self.url())
            .field("options_set", &keys)
            .field("from_env", &self.from_env)
            .finish()
    }
}
