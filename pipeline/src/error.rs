/// Why a file cannot be processed, phrased for the seller who chose it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PipelineError {
    #[error("The file is empty.")]
    Empty,
    #[error(
        "SVG files are not accepted (they can carry scripts): export the picture as JPEG or PNG."
    )]
    Svg,
    #[error(
        "HEIC/HEIF photos cannot be read here: export the photo as JPEG (on an iPhone, Settings › Camera › Formats › Most Compatible)."
    )]
    Heif,
    #[error(
        "This HEIC photo uses something Vitrine cannot read yet ({0}): export it as JPEG (on a Mac, File › Export; on an iPhone, Settings › Camera › Formats › Most Compatible)."
    )]
    HeifUnsupported(String),
    #[error(
        "This file is not an image Vitrine can read: choose a JPEG, PNG, WebP, TIFF, GIF or HEIC photo."
    )]
    NotAnImage,
    #[error("The image is {width}x{height} pixels, more than the 100 megapixels Vitrine accepts.")]
    TooLarge { width: u32, height: u32 },
    #[error("The image is damaged or incomplete and cannot be read ({0}).")]
    Corrupt(String),
    #[error("The image could not be encoded ({0}).")]
    Encode(String),
}
