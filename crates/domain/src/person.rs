//! People: whoever has an account.

use crate::error::required_text;
use crate::kana::optional_kana;
use crate::{Email, Locale, Password, ValidationError};

/// A validated sign-up.
#[derive(Debug)]
pub struct NewPerson {
    pub email: Email,
    pub password: Password,
    pub display_name: String,
    pub name_kana: Option<String>,
    pub locale: Locale,
}

impl NewPerson {
    /// Validates a sign-up form. Consent to the privacy notice is required:
    /// an account cannot exist without it.
    pub fn parse(
        email: &str,
        password: &str,
        display_name: &str,
        name_kana: &str,
        consented: bool,
        locale: Locale,
    ) -> Result<Self, ValidationError> {
        let email = Email::parse(email)?;
        let display_name = required_text("display_name", display_name, 100)?;
        let name_kana = optional_kana("name_kana", name_kana)?;
        let password = Password::parse(password, Some(&email))?;
        if !consented {
            return Err(ValidationError::new("consent", "consent_required"));
        }
        Ok(Self {
            email,
            password,
            display_name,
            name_kana,
            locale,
        })
    }
}
