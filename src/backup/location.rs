//! Where a backup lives: a local directory or `s3://bucket/prefix` (any
//! S3-compatible store, configured by the usual `AWS_*` variables through
//! `object_store`). Files are written as streams — S3 through multipart
//! upload, never a whole file in memory — and read back as streams. The
//! manifest is written atomically: a rename in a directory, a single PUT
//! on S3.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::StreamExt;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use tokio::io::AsyncWriteExt;

use crate::error::{Error, Result};

/// Bytes buffered before an S3 multipart part is sent.
const S3_PART_BYTES: usize = 8 << 20;
/// Bytes read from a local file at a time.
const READ_CHUNK: usize = 1 << 20;

/// A backup's place.
#[derive(Clone)]
pub enum Location {
    Dir(PathBuf),
    S3 {
        store: Arc<dyn ObjectStore>,
        prefix: String,
        url: String,
    },
}

fn s3_error(e: object_store::Error) -> Error {
    Error::Io(format!("object storage: {e}"))
}

impl Location {
    /// A directory path or an `s3://bucket/prefix` URL.
    pub fn parse(text: &str) -> Result<Location> {
        let Some(rest) = text.strip_prefix("s3://") else {
            return Ok(Location::Dir(PathBuf::from(text)));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(Error::Io(format!("no bucket in \"{text}\"")));
        }
        // reqwest's TLS (for https endpoints) uses the process's rustls
        // provider: ring, as the server's TLS does.
        let _ = tokio_rustls::rustls::crypto::ring::default_provider().install_default();
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(s3_error)?;
        Ok(Location::S3 {
            store: Arc::new(store),
            prefix: prefix.trim_matches('/').to_string(),
            url: text.to_string(),
        })
    }

    /// The location as the user wrote it.
    pub fn describe(&self) -> String {
        match self {
            Location::Dir(p) => p.display().to_string(),
            Location::S3 { url, .. } => url.clone(),
        }
    }

    fn object(prefix: &str, name: &str) -> ObjectPath {
        if prefix.is_empty() {
            ObjectPath::from(name)
        } else {
            ObjectPath::from(format!("{prefix}/{name}"))
        }
    }

    /// True if nothing is stored there yet.
    pub async fn is_empty(&self) -> Result<bool> {
        match self {
            Location::Dir(p) => match std::fs::read_dir(p) {
                Ok(mut entries) => Ok(entries.next().is_none()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
                Err(e) => Err(e.into()),
            },
            Location::S3 { store, prefix, .. } => {
                let p = (!prefix.is_empty()).then(|| ObjectPath::from(prefix.as_str()));
                let first = store.list(p.as_ref()).next().await;
                match first {
                    None => Ok(true),
                    Some(Ok(_)) => Ok(false),
                    Some(Err(e)) => Err(s3_error(e)),
                }
            }
        }
    }

    /// Starts writing the file `name` (a relative path with `/`).
    pub async fn create(&self, name: &str) -> Result<ObjectWriter> {
        match self {
            Location::Dir(root) => {
                let path = root.join(name);
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let file = std::fs::File::create(&path)?;
                Ok(ObjectWriter::File {
                    out: std::io::BufWriter::with_capacity(READ_CHUNK, file),
                    path,
                })
            }
            Location::S3 { store, prefix, .. } => Ok(ObjectWriter::S3(Box::new(
                object_store::buffered::BufWriter::with_capacity(
                    store.clone(),
                    Self::object(prefix, name),
                    S3_PART_BYTES,
                ),
            ))),
        }
    }

    /// Writes a small file at once, atomically: readers see the old state
    /// or the whole new file.
    pub async fn put_atomic(&self, name: &str, bytes: Vec<u8>) -> Result<()> {
        match self {
            Location::Dir(root) => {
                let path = root.join(name);
                let temp = root.join(format!("{name}.partial"));
                {
                    let mut f = std::fs::File::create(&temp)?;
                    f.write_all(&bytes)?;
                    f.sync_all()?;
                }
                std::fs::rename(&temp, &path)?;
                sync_dir(root)
            }
            Location::S3 { store, prefix, .. } => {
                store
                    .put(&Self::object(prefix, name), bytes.into())
                    .await
                    .map_err(s3_error)?;
                Ok(())
            }
        }
    }

    /// The whole of a small file, or None if it is not there.
    pub async fn read_small(&self, name: &str) -> Result<Option<Vec<u8>>> {
        match self {
            Location::Dir(root) => match std::fs::read(root.join(name)) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(e.into()),
            },
            Location::S3 { store, prefix, .. } => {
                match store.get(&Self::object(prefix, name)).await {
                    Ok(r) => Ok(Some(r.bytes().await.map_err(s3_error)?.to_vec())),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(s3_error(e)),
                }
            }
        }
    }

    /// Reads the file `name` as a stream of chunks.
    pub async fn open(&self, name: &str) -> Result<ObjectReader> {
        match self {
            Location::Dir(root) => {
                let path = root.join(name);
                let file = std::fs::File::open(&path).map_err(|e| {
                    Error::Io(format!("could not open \"{}\": {e}", path.display()))
                })?;
                Ok(ObjectReader::File(file))
            }
            Location::S3 { store, prefix, .. } => {
                let got = store
                    .get(&Self::object(prefix, name))
                    .await
                    .map_err(|e| Error::Io(format!("could not read \"{name}\": {e}")))?;
                Ok(ObjectReader::S3(got.into_stream()))
            }
        }
    }

    /// The local path of a file, when the location is a directory.
    pub fn local_path(&self, name: &str) -> Option<PathBuf> {
        match self {
            Location::Dir(root) => Some(root.join(name)),
            Location::S3 { .. } => None,
        }
    }
}

/// Makes a directory's entries durable.
pub fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

/// A file being written.
pub enum ObjectWriter {
    File {
        out: std::io::BufWriter<std::fs::File>,
        path: PathBuf,
    },
    S3(Box<object_store::buffered::BufWriter>),
}

impl ObjectWriter {
    pub async fn write(&mut self, data: &[u8]) -> Result<()> {
        match self {
            ObjectWriter::File { out, .. } => Ok(out.write_all(data)?),
            ObjectWriter::S3(w) => w
                .write_all(data)
                .await
                .map_err(|e| Error::Io(format!("object storage: {e}"))),
        }
    }

    /// Completes the file durably (fsync; the multipart upload completes).
    pub async fn finish(self) -> Result<()> {
        match self {
            ObjectWriter::File { out, path } => {
                let file = out.into_inner().map_err(|e| {
                    Error::Io(format!("writing \"{}\": {}", path.display(), e.error()))
                })?;
                file.sync_all()?;
                if let Some(dir) = path.parent() {
                    sync_dir(dir)?;
                }
                Ok(())
            }
            ObjectWriter::S3(mut w) => w
                .shutdown()
                .await
                .map_err(|e| Error::Io(format!("object storage: {e}"))),
        }
    }
}

/// A file being read.
pub enum ObjectReader {
    File(std::fs::File),
    S3(futures::stream::BoxStream<'static, object_store::Result<Bytes>>),
}

impl ObjectReader {
    /// The next chunk, or None at the end.
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        match self {
            ObjectReader::File(f) => {
                use std::io::Read;
                let mut buf = vec![0u8; READ_CHUNK];
                let n = f.read(&mut buf)?;
                if n == 0 {
                    return Ok(None);
                }
                buf.truncate(n);
                Ok(Some(buf.into()))
            }
            ObjectReader::S3(s) => s.next().await.transpose().map_err(s3_error),
        }
    }
}
