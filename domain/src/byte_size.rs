//! Limits for what a browser may upload.

/// A declared object size: at least one byte, at most the configured maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(u64);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ByteSizeError {
    #[error("The file is empty.")]
    Empty,
    #[error(
        "The processed image is {size} bytes, more than the {max} bytes this server accepts (VITRINE_MAX_UPLOAD_BYTES)."
    )]
    TooLarge { size: u64, max: u64 },
}

/// The default for `VITRINE_MAX_UPLOAD_BYTES`.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 15_000_000;

impl ByteSize {
    pub fn parse(size: u64, max: u64) -> Result<Self, ByteSizeError> {
        match size {
            0 => Err(ByteSizeError::Empty),
            s if s > max => Err(ByteSizeError::TooLarge { size, max }),
            s => Ok(Self(s)),
        }
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_inclusive() {
        assert_eq!(ByteSize::parse(0, 10), Err(ByteSizeError::Empty));
        assert_eq!(ByteSize::parse(1, 10).unwrap().get(), 1);
        assert_eq!(ByteSize::parse(10, 10).unwrap().get(), 10);
        assert_eq!(
            ByteSize::parse(11, 10),
            Err(ByteSizeError::TooLarge { size: 11, max: 10 })
        );
    }
}
