//! Writes each document as one line of JSON, for local inspection.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use super::{Request, Response, Transport, TransportError};

/// Appends every document (uncompressed, one per line) to a file or stdout.
/// Always answers 200, so nothing is retried.
pub struct FileTransport {
    out: Box<dyn Write + Send>,
}

impl std::fmt::Debug for FileTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileTransport").finish_non_exhaustive()
    }
}

impl FileTransport {
    /// Appends to `path`, creating it if needed.
    pub fn append(path: impl AsRef<Path>) -> io::Result<Self> {
        let f: File = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(FileTransport { out: Box::new(f) })
    }

    /// Prints to standard output.
    pub fn stdout() -> Self {
        FileTransport {
            out: Box::new(io::stdout()),
        }
    }

    /// Writes to any sink.
    pub fn new(out: impl Write + Send + 'static) -> Self {
        FileTransport { out: Box::new(out) }
    }
}

impl Transport for FileTransport {
    fn send(&mut self, request: &Request<'_>) -> Result<Response, TransportError> {
        let io = |e: io::Error| TransportError::new(e.to_string());
        self.out.write_all(request.json).map_err(io)?;
        self.out.write_all(b"\n").map_err(io)?;
        self.out.flush().map_err(io)?;
        Ok(Response::new(200))
    }
}
