//! Pieces shared by pages.

pub mod broken_image;
pub mod gallery;
pub mod header;
pub mod keyboard;
pub mod notice;
