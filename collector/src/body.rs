//! Request bodies: read with a size cap, and gzip undone with a cap on the output, so neither
//! a large body nor a gzip bomb can make the collector hold more than the limits.

use std::io::Read;

use bytes::Buf;
use http_body_util::BodyExt;

/// Why a body could not be had.
#[derive(Debug, PartialEq, Eq)]
pub enum BodyError {
    /// More than the limit (as sent, or once inflated).
    TooLarge { inflated: bool, limit: usize },
    /// The connection failed or ended early.
    Incomplete,
    /// Not valid gzip (corrupt or truncated).
    BadGzip,
}

/// Reads a whole body, refusing it as soon as it passes `limit` bytes.
pub async fn read_capped<B>(
    mut body: B,
    limit: usize,
    hint: Option<u64>,
) -> Result<Vec<u8>, BodyError>
where
    B: hyper::body::Body + Unpin,
{
    if hint.is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge {
            inflated: false,
            limit,
        });
    }
    // Trust the announced length only up to the limit.
    let mut out = Vec::with_capacity(hint.map_or(16 << 10, |n| n as usize).min(limit));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Incomplete)?;
        if let Ok(mut data) = frame.into_data() {
            if out.len() + data.remaining() > limit {
                return Err(BodyError::TooLarge {
                    inflated: false,
                    limit,
                });
            }
            while data.has_remaining() {
                let chunk = data.chunk();
                out.extend_from_slice(chunk);
                let n = chunk.len();
                data.advance(n);
            }
        }
    }
    Ok(out)
}

/// Inflates a gzip body, stopping once the output would pass `limit` bytes. Memory used is the
/// output (at most `limit` + one read buffer) and the inflater's fixed window.
pub fn gunzip_capped(compressed: &[u8], limit: usize) -> Result<Vec<u8>, BodyError> {
    // Multi-member gzip is valid (RFC 1952 §2.2); the runtime writes one member.
    let decoder = flate2::read::MultiGzDecoder::new(compressed);
    // A gzip member ends with its inflated size mod 2^32 (RFC 1952 §2.3.1): a hint, trusted
    // only up to the limit, that saves growing and copying the output as it inflates.
    let announced = compressed
        .len()
        .checked_sub(4)
        .and_then(|at| compressed[at..].try_into().ok())
        .map_or(0, |b: [u8; 4]| u32::from_le_bytes(b) as usize);
    let hint = if announced > 0 {
        announced.saturating_add(1)
    } else {
        compressed.len().saturating_mul(4)
    };
    let mut out = Vec::with_capacity(hint.min(limit.saturating_add(1)));
    // One byte past the limit tells "exactly the limit" from "more".
    let read = decoder
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| BodyError::BadGzip)?;
    if read > limit {
        return Err(BodyError::TooLarge {
            inflated: true,
            limit,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn inflates_up_to_the_limit_and_no_further() {
        let data = vec![b'x'; 1000];
        assert_eq!(gunzip_capped(&gzip(&data), 1000).unwrap(), data);
        assert_eq!(
            gunzip_capped(&gzip(&data), 999),
            Err(BodyError::TooLarge {
                inflated: true,
                limit: 999
            })
        );
        // A bomb: 16 MiB of zeros in ~16 KiB, refused after 1 MiB of output.
        let bomb = gzip(&vec![0u8; 16 << 20]);
        assert!(bomb.len() < 32 << 10, "{}", bomb.len());
        assert!(matches!(
            gunzip_capped(&bomb, 1 << 20),
            Err(BodyError::TooLarge { inflated: true, .. })
        ));
    }

    #[test]
    fn truncated_or_corrupt_gzip_is_refused() {
        let z = gzip(&vec![b'y'; 5000]);
        assert_eq!(
            gunzip_capped(&z[..z.len() / 2], 1 << 20),
            Err(BodyError::BadGzip)
        );
        assert_eq!(
            gunzip_capped(&z[..z.len() - 4], 1 << 20),
            Err(BodyError::BadGzip)
        );
        assert_eq!(
            gunzip_capped(b"not gzip at all", 1 << 20),
            Err(BodyError::BadGzip)
        );
        let mut flipped = z.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0xff;
        assert!(gunzip_capped(&flipped, 1 << 20).is_err());
    }
}
