//! What every page shares: the header, navigation, language switch and
//! notices, and the error page.

use crate::auth::Ctx;
use crate::i18n::Tr;
use askama::Template;

/// Notices a redirect may ask a page to show (`?notice=…`); anything else is ignored.
const NOTICES: &[&str] = &[
    "signed-up",
    "verified",
    "signed-out",
    "reset-sent",
    "password-changed",
    "saved",
    "role-added",
    "role-removed",
    "token-revoked",
    "verify-sent",
    "erased",
    "joined",
    "entry-added",
    "entry-withdrawn",
    "goods-requested",
    "registration-confirmed",
    "registration-waitlisted",
    "registration-pending",
    "registration-cancelled",
    "registration-declined",
    "registration-transferred",
    "feedback-thanks",
    "event-cancelled",
    "calendar-revoked",
    "challenge-posted",
    "challenge-drafted",
    "challenge-moved",
    "challenge-endorsed",
    "comment-added",
    "followed",
    "unfollowed",
    "attachment-added",
    "challenge-merged",
    "challenge-split",
    "report-attached",
    "report-closed",
];

/// A Unix time however deeply templates borrow it.
pub trait Unix {
    fn unix(&self) -> i64;
}

impl Unix for i64 {
    fn unix(&self) -> i64 {
        *self
    }
}

impl<T: Unix + ?Sized> Unix for &T {
    fn unix(&self) -> i64 {
        (**self).unix()
    }
}

pub struct PageCtx {
    pub tr: Tr,
    pub user_name: Option<String>,
    pub show_admin: bool,
    pub path: String,
    pub notice: Option<String>,
}

impl PageCtx {
    pub fn new(ctx: &Ctx) -> Self {
        let notice = ctx
            .query
            .split('&')
            .find_map(|kv| kv.strip_prefix("notice="))
            .filter(|n| NOTICES.contains(n))
            .map(|n| ctx.tr.t(&format!("notice-{n}")));
        Self {
            tr: ctx.tr,
            user_name: ctx.user.as_ref().map(|u| u.display_name.clone()),
            show_admin: ctx.viewer.can_open_admin(),
            path: ctx.path.clone(),
            notice,
        }
    }

    /// For pages rendered without a signed-in context (errors).
    pub fn bare(tr: Tr) -> Self {
        Self {
            tr,
            user_name: None,
            show_admin: false,
            path: String::new(),
            notice: None,
        }
    }

    pub fn t(&self, key: &str) -> std::borrow::Cow<'static, str> {
        self.tr.text(key)
    }

    pub fn lang(&self) -> &'static str {
        self.tr.code()
    }

    pub fn asset(&self, name: &str) -> String {
        crate::assets::url(name)
    }

    /// `aria-current="page"` for the navigation item of the current section.
    pub fn current(&self, prefix: &str) -> &'static str {
        let hit = if prefix == "/" {
            self.path == "/"
        } else {
            self.path.starts_with(prefix)
        };
        if hit { "page" } else { "false" }
    }

    pub fn pressed(&self, lang: &str) -> &'static str {
        if self.lang() == lang { "true" } else { "false" }
    }

    pub fn datetime(&self, unix: impl Unix) -> String {
        self.tr.datetime(unix.unix())
    }

    /// An event's time span (see `Tr::span`).
    pub fn span(&self, start: impl Unix, end: impl Unix) -> String {
        self.tr.span(start.unix(), end.unix())
    }

    pub fn date(&self, iso: &str) -> String {
        self.tr.date(iso)
    }

    /// A region's catalogue slug (Fluent keys are ASCII), e.g. 会津 → `aizu`.
    pub fn region_slug(&self, region: &str) -> &'static str {
        match region {
            "県北" => "kenpoku",
            "県中" => "kenchu",
            "県南" => "kennan",
            "会津" => "aizu",
            "南会津" => "minamiaizu",
            "相双" => "soso",
            "いわき" => "iwaki",
            _ => "other",
        }
    }

    pub fn region(&self, region: &str) -> std::borrow::Cow<'static, str> {
        self.tr
            .text(&format!("region-{}", self.region_slug(region)))
    }

    /// 市 / 町 / 村 in the reader's language.
    pub fn muni_type(&self, t: &str) -> std::borrow::Cow<'static, str> {
        let key = match t {
            "市" => "muni-type-city",
            "町" => "muni-type-town",
            "村" => "muni-type-village",
            _ => return t.to_string().into(),
        };
        self.tr.text(key)
    }

    /// The name of an organisation kind or role in the reader's language.
    pub fn label(&self, prefix: &str, value: &str) -> std::borrow::Cow<'static, str> {
        self.tr
            .text(&format!("{prefix}-{}", value.replace('_', "-")))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub c: PageCtx,
    pub status: u16,
    pub message: String,
    pub sign_in: bool,
}
