//! Who is asking: sessions (cookie), API tokens (bearer), passwords, and
//! the per-request context every handler receives.

pub mod context;
pub mod password;
pub mod session;

pub use context::Ctx;
