//! Frames on the socket: a 4-byte big-endian length, then that many bytes of
//! JSON. tokio-util's `LengthDelimitedCodec` does the framing; it refuses a
//! claimed length above [`MAX_FRAME`] from the prefix alone, so a garbage or
//! hostile prefix cannot make either side allocate gigabytes.
//!
//! Both halves are typed: [`FrameReader`] yields decoded frames or a message
//! that says what was wrong; [`FrameWriter`] takes frames.

use super::protocol::MAX_FRAME;
use futures::{SinkExt, StreamExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_util::bytes::Bytes;
use tokio_util::codec::{FramedRead, FramedWrite, LengthDelimitedCodec};

fn codec() -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder().length_field_type::<u32>().big_endian().max_frame_length(MAX_FRAME).new_codec()
}

/// Why reading a frame failed. `Closed` is the peer going away cleanly.
#[derive(Debug)]
pub enum ReadError {
    Closed,
    /// Framing or JSON was wrong: the message quotes what and says what was expected.
    Bad(String),
    Io(std::io::Error),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Closed => f.write_str("the other side closed the connection"),
            ReadError::Bad(m) => f.write_str(m),
            ReadError::Io(e) => write!(f, "socket error: {e}"),
        }
    }
}

pub struct FrameReader<R, T> {
    inner: FramedRead<R, LengthDelimitedCodec>,
    _t: PhantomData<fn() -> T>,
}

impl<R: AsyncRead + Unpin, T: DeserializeOwned> FrameReader<R, T> {
    pub fn new(r: R) -> Self {
        FrameReader { inner: FramedRead::new(r, codec()), _t: PhantomData }
    }

    /// Bytes read past the frames handed out so far; a connection switching
    /// from frames to a raw relay must not lose them.
    pub fn buffered(&self) -> &[u8] {
        self.inner.read_buffer()
    }

    /// The stream underneath (see [`Self::buffered`] for bytes already read).
    pub fn into_inner(self) -> R {
        self.inner.into_inner()
    }

    pub async fn next(&mut self) -> Result<T, ReadError> {
        match self.inner.next().await {
            None => Err(ReadError::Closed),
            Some(Err(e)) if e.kind() == std::io::ErrorKind::InvalidData => Err(ReadError::Bad(format!(
                "frame refused: {e} — expected a 4-byte big-endian length of at most {MAX_FRAME} bytes, then JSON"
            ))),
            Some(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(ReadError::Closed),
            // The codec's "bytes remaining on stream": the other side closed
            // partway through a frame (found by fuzzing; it read as a socket error).
            Some(Err(_)) if !self.inner.read_buffer().is_empty() => Err(ReadError::Bad(format!(
                "the connection closed in the middle of a frame ({} bytes of it had come) — expected a whole frame: a 4-byte big-endian length, then that many bytes of JSON",
                self.inner.read_buffer().len()
            ))),
            Some(Err(e)) => Err(ReadError::Io(e)),
            Some(Ok(bytes)) => decode(&bytes),
        }
    }
}

/// Decode one frame's JSON, quoting the start of what came when it is not.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ReadError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let shown: String = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]).chars().filter(|c| !c.is_control()).collect();
        ReadError::Bad(format!("frame is not a valid message: {e} (it began {shown:?}) — expected a JSON object with a \"frame\" tag"))
    })
}

pub struct FrameWriter<W, T> {
    inner: FramedWrite<W, LengthDelimitedCodec>,
    _t: PhantomData<fn(T)>,
}

impl<W: AsyncWrite + Unpin, T: Serialize> FrameWriter<W, T> {
    pub fn new(w: W) -> Self {
        FrameWriter { inner: FramedWrite::new(w, codec()), _t: PhantomData }
    }

    /// The stream underneath; every sent frame has been flushed to it.
    pub fn into_inner(self) -> W {
        self.inner.into_inner()
    }

    pub async fn send(&mut self, frame: &T) -> std::io::Result<()> {
        let body = serde_json::to_vec(frame).map_err(std::io::Error::other)?;
        self.inner.send(Bytes::from(body)).await
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::daemon::protocol::ServerFrame;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn oversize_length_is_refused_before_reading_the_body() {
        let (mut a, b) = tokio::io::duplex(64);
        // Claims 4 GiB; nothing follows.
        a.write_all(&[0xff, 0xff, 0xff, 0xff]).await.unwrap();
        let mut r: FrameReader<_, ServerFrame> = FrameReader::new(b);
        match r.next().await {
            Err(ReadError::Bad(m)) => assert!(m.contains("16777216"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn frames_round_trip_and_garbage_is_quoted() {
        let (a, b) = tokio::io::duplex(1024);
        let mut w: FrameWriter<_, ServerFrame> = FrameWriter::new(a);
        w.send(&ServerFrame::Lagged { missed: 3 }).await.unwrap();
        let mut r: FrameReader<_, ServerFrame> = FrameReader::new(b);
        assert!(matches!(r.next().await.unwrap(), ServerFrame::Lagged { missed: 3 }));
        match decode::<ServerFrame>(b"not json") {
            Err(ReadError::Bad(m)) => assert!(m.contains("\"not json\""), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
