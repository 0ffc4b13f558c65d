//! Small building blocks shared by the pages.

pub mod chrome;
pub mod composer;
pub mod form;
pub mod ideas;
pub mod question;
pub mod results;
pub mod timer;
pub mod turnout;
