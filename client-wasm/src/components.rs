//! Small building blocks shared by the pages.

pub mod chrome;
pub mod composer;
pub mod form;
pub mod ideas;
#[cfg(feature = "full")]
pub mod paged;
#[cfg(feature = "full")]
pub mod pages_of;
pub mod question;
pub mod results;
pub mod timer;
