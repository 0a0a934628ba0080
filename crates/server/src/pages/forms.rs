//! Form errors shown next to their fields, in the reader's language.

use crate::error::message;
use crate::i18n::Tr;
use kizuna_domain::ValidationError;

/// The errors of one submitted form: field → message.
#[derive(Default)]
pub struct FormErrors {
    pub items: Vec<(String, String)>,
}

impl FormErrors {
    pub fn from_validation(tr: Tr, e: &ValidationError) -> Self {
        Self {
            items: vec![(e.field.to_string(), message(tr, e.code))],
        }
    }

    pub fn one(tr: Tr, field: &str, code: &str) -> Self {
        Self {
            items: vec![(field.to_string(), message(tr, code))],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The message for `field`, or empty.
    pub fn get(&self, field: &str) -> String {
        self.items
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }

    pub fn has(&self, field: &str) -> bool {
        self.items.iter().any(|(f, _)| f == field)
    }

    /// Errors not tied to a visible field (shown at the top of the form).
    pub fn general(&self, fields: &[&str]) -> Vec<String> {
        self.items
            .iter()
            .filter(|(f, _)| !fields.contains(&f.as_str()))
            .map(|(_, m)| m.clone())
            .collect()
    }
}
