//! Small building blocks shared by the pages.

pub mod actions;
pub mod chrome;
pub mod composer;
pub mod confirm;
#[cfg(feature = "staff")]
pub mod exports;
pub mod floor_banner;
pub mod form;
pub mod host_banner;
pub mod ideas;
pub mod new_cluster;
#[cfg(feature = "staff")]
pub mod paged;
#[cfg(feature = "staff")]
pub mod pages_of;
pub mod question;
pub mod reactions;
pub mod results;
pub mod timer;
pub mod timer_cue;
pub mod turnout;
