//! Small building blocks shared by the pages.

pub mod chrome;
pub mod composer;
pub mod confirm;
pub mod floor_banner;
pub mod form;
pub mod host_banner;
pub mod ideas;
#[cfg(feature = "full")]
pub mod paged;
#[cfg(feature = "full")]
pub mod pages_of;
pub mod question;
pub mod reactions;
pub mod results;
pub mod timer;
pub mod turnout;
