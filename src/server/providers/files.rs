//! The file store uploaded pictures are kept in, chosen by configuration: a folder of this
//! server (`FILES_DIR`, `data/files` by default) or an S3-compatible bucket (`FILES_S3_*`), which
//! several app servers share. Both through `object_store` (Apache Arrow's), so the rest of the
//! server sees one store: `put` and `get` by key.
//!
//! Keys are chosen by the caller ([`service::files`](crate::server::service::files) makes them
//! from the content), so a key's object never changes: a `put` under a key already there writes
//! nothing.

use std::sync::Arc;

use bytes::Bytes;
use object_store::{
    aws::AmazonS3Builder, local::LocalFileSystem, path::Path, Attribute, Attributes, ObjectStore, ObjectStoreExt,
    PutOptions, PutPayload,
};

use crate::server::{
    config::FileStore,
    error::{Error, Result},
};

/// The store, opened once at start and shared by every request (cheap to clone). `Debug` names
/// the folder or the bucket, never the credentials.
#[derive(Clone)]
pub struct Files {
    store: Arc<dyn ObjectStore>,
    /// The bucket takes the type and caching of each object (a folder cannot keep them: the
    /// key's extension says the type).
    bucket: bool,
    shown: Arc<str>,
}

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Files({})", self.shown)
    }
}

impl Files {
    /// Opens the configured store; a folder is made when missing.
    pub fn open(config: &FileStore) -> std::result::Result<Self, String> {
        match config {
            FileStore::Local { dir } => {
                std::fs::create_dir_all(dir).map_err(|e| format!("FILES_DIR {}: {e}", dir.display()))?;
                let store =
                    LocalFileSystem::new_with_prefix(dir).map_err(|e| format!("FILES_DIR {}: {e}", dir.display()))?;
                Ok(Self { store: Arc::new(store), bucket: false, shown: format!("folder {}", dir.display()).into() })
            }
            FileStore::S3(s3) => {
                let mut builder = AmazonS3Builder::new()
                    .with_bucket_name(&s3.bucket)
                    .with_region(&s3.region)
                    .with_access_key_id(&s3.access_key_id)
                    .with_secret_access_key(s3.secret_access_key.expose())
                    .with_virtual_hosted_style_request(s3.virtual_hosted);
                if let Some(endpoint) = &s3.endpoint {
                    builder = builder.with_endpoint(endpoint).with_allow_http(endpoint.starts_with("http://"));
                }
                let store = builder.build().map_err(|e| format!("FILES_S3_*: {e}"))?;
                let at = s3.endpoint.as_deref().unwrap_or("AWS");
                Ok(Self { store: Arc::new(store), bucket: true, shown: format!("bucket {} at {at}", s3.bucket).into() })
            }
        }
    }

    /// Keeps `bytes` under `key`, unless the key is there already: keys name their content, so
    /// what is there is the same (and a second app server racing this one writes the same).
    pub async fn put(
        &self,
        key: &str,
        bytes: Bytes,
        content_type: &'static str,
        cache_control: &'static str,
    ) -> Result<()> {
        let path = path(key)?;
        match self.store.head(&path).await {
            Ok(_) => return Ok(()),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(fault("checking", key, e)),
        }
        let mut options = PutOptions::default();
        if self.bucket {
            let mut attributes = Attributes::new();
            attributes.insert(Attribute::ContentType, content_type.into());
            attributes.insert(Attribute::CacheControl, cache_control.into());
            options.attributes = attributes;
        }
        self.store
            .put_opts(&path, PutPayload::from_bytes(bytes), options)
            .await
            .map_err(|e| fault("storing", key, e))?;
        Ok(())
    }

    /// The bytes under `key`; `None` when there are none.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>> {
        let path = path(key)?;
        let found = match self.store.get(&path).await {
            Ok(found) => found,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(fault("reading", key, e)),
        };
        found.bytes().await.map(Some).map_err(|e| fault("reading", key, e))
    }
}

/// Where `key` lives: under a folder named by its first two characters, so that no one folder
/// of the local store grows to every picture (a bucket does not mind either way).
fn path(key: &str) -> Result<Path> {
    let shard = key.get(..2).filter(|s| s.bytes().all(|b| b.is_ascii_alphanumeric()));
    let shard = shard.ok_or_else(|| Error::internal(format!("file key {key:?} is not a key")))?;
    Path::parse(format!("{shard}/{key}")).map_err(|e| Error::internal(format!("file key {key:?}: {e}")))
}

/// The store failed (the folder unwritable, the bucket unreachable): the cause to the log, a
/// server fault to the client.
fn fault(doing: &str, key: &str, e: object_store::Error) -> Error {
    Error::internal(format!("file store: {doing} {key}: {e}"))
}
