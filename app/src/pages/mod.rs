//! One module per route, each holding the server functions it calls.

pub mod account;
pub mod auth;
pub mod history;
pub mod home;
pub mod not_found;
pub mod product;
pub mod products;
pub mod review;
pub mod storefront;
