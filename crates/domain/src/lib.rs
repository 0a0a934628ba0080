//! Kizuna's pure domain: types that cannot hold bad data and the rules that
//! decide who may see and do what. No I/O lives here, so no SQL or HTTP can leak in.
#![forbid(unsafe_code)]

pub mod access;
pub mod badges;
pub mod challenge;
pub mod email;
pub mod error;
pub mod event;
pub mod fan;
pub mod kana;
pub mod ledger;
pub mod local_gov_code;
pub mod locale;
pub mod open311;
pub mod organisation;
pub mod partnership;
pub mod password;
pub mod person;
pub mod role;
pub mod roster;
pub mod similarity;

pub use access::Viewer;
pub use email::Email;
pub use error::ValidationError;
pub use local_gov_code::LocalGovCode;
pub use locale::Locale;
pub use organisation::{NewOrganisation, OrgKind, OrganisationProfile};
pub use partnership::{DEFAULT_PILLARS, PartnershipDraft, PillarKey, Visibility};
pub use password::Password;
pub use person::NewPerson;
pub use role::{Role, RoleAssignment};
