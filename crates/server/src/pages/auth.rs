//! Sign-up, e-mail verification, sign-in and -out, password reset, language.

use super::forms::FormErrors;
use super::layout::PageCtx;
use crate::auth::session::{expired_session_cookie, lang_cookie, session_cookie};
use crate::auth::{Ctx, password};
use crate::error::AppError;
use crate::{AppState, emails};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use kizuna_domain::{Email, Locale, NewPerson, Password};
use kizuna_store::StoreError;
use kizuna_store::auth_tokens::TokenPurpose;
use kizuna_store::login_attempts::Throttle;
use kizuna_store::people::NewAccount;
use kizuna_store::tokens;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Default, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    name_kana: String,
    #[serde(default)]
    password: String,
    consent: Option<String>,
}

#[derive(Template)]
#[template(path = "signup.html")]
struct SignUpPage {
    c: PageCtx,
    form: SignUpForm,
    errors: FormErrors,
}

pub async fn signup_form(ctx: Ctx) -> Result<Html<String>, AppError> {
    Ok(Html(
        SignUpPage {
            c: PageCtx::new(&ctx),
            form: SignUpForm::default(),
            errors: FormErrors::default(),
        }
        .render()?,
    ))
}

pub async fn signup(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(mut form): Form<SignUpForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let rerender = |form: SignUpForm, errors: FormErrors| -> Result<Response, AppError> {
        let mut form = form;
        form.password.clear();
        let html = SignUpPage {
            c: PageCtx::new(&ctx),
            form,
            errors,
        }
        .render()?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response())
    };
    let person = match NewPerson::parse(
        &form.email,
        &form.password,
        &form.display_name,
        &form.name_kana,
        form.consent.is_some(),
        tr.0,
    ) {
        Ok(p) => p,
        Err(e) => return rerender(form, FormErrors::from_validation(tr, &e)),
    };
    let hash = password::hash(person.password.expose().to_string()).await?;
    let secret = tokens::new_secret("");
    let link = st.config.link(&format!("/verify/{secret}"));
    let mail = emails::verify_email(tr, person.email.as_str(), &person.display_name, &link);
    let account = NewAccount {
        email: person.email.as_str(),
        password_hash: &hash,
        display_name: &person.display_name,
        name_kana: person.name_kana.as_deref(),
        locale: person.locale.as_str(),
        notice_version: &st.config.privacy_notice_version,
    };
    match st
        .store
        .sign_up(&account, &tokens::hash(&secret), &mail)
        .await
    {
        Ok(_) => Ok(Redirect::to("/signin?notice=signed-up").into_response()),
        Err(StoreError::Conflict(code)) => {
            form.email = person.email.to_string();
            rerender(form, FormErrors::one(tr, "email", code))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Default, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    c: PageCtx,
    email: String,
    next: String,
    errors: FormErrors,
    unverified: bool,
}

#[derive(Deserialize)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

pub async fn signin_form(
    ctx: Ctx,
    axum::extract::Query(q): axum::extract::Query<NextQuery>,
) -> Result<Html<String>, AppError> {
    let page = SignInPage {
        c: PageCtx::new(&ctx),
        email: String::new(),
        next: safe_next(&q.next),
        errors: FormErrors::default(),
        unverified: false,
    };
    Ok(Html(page.render()?))
}

/// Only local paths may be redirect targets (no open redirects).
pub fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        String::new()
    }
}

pub async fn signin(
    State(st): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ctx: Ctx,
    jar: CookieJar,
    Form(form): Form<SignInForm>,
) -> Result<Response, AppError> {
    let tr = ctx.tr;
    let ip = addr.ip().to_string();
    let email = Email::parse(&form.email)
        .map(|e| e.to_string())
        .unwrap_or_else(|_| form.email.trim().to_lowercase());
    let fail = |code: &str, status: StatusCode, unverified: bool| -> Result<Response, AppError> {
        let page = SignInPage {
            c: PageCtx::new(&ctx),
            email: email.clone(),
            next: safe_next(&form.next),
            errors: FormErrors::one(tr, "email", code),
            unverified,
        };
        Ok((status, Html(page.render()?)).into_response())
    };
    match st.store.login_throttle(&email, &ip).await? {
        Throttle::Open => {}
        Throttle::AccountLocked => {
            return fail(
                "too_many_attempts_account",
                StatusCode::TOO_MANY_REQUESTS,
                false,
            );
        }
        Throttle::AddressLocked => {
            return fail("too_many_attempts_ip", StatusCode::TOO_MANY_REQUESTS, false);
        }
    }
    let creds = st.store.credentials(&email).await?;
    let ok = match &creds {
        Some(c) => password::verify(form.password.clone(), c.password_hash.clone()).await,
        None => {
            password::dummy_verify(form.password.clone()).await;
            false
        }
    };
    st.store.record_login_attempt(&email, &ip, ok).await?;
    let Some(creds) = creds.filter(|_| ok) else {
        return fail("wrong_credentials", StatusCode::UNAUTHORIZED, false);
    };
    if creds.email_verified_at.is_none() {
        return fail("email_not_verified", StatusCode::FORBIDDEN, true);
    }
    let secret = tokens::new_secret("");
    st.store
        .create_session(creds.id, &tokens::hash(&secret))
        .await?;
    let next = Some(safe_next(&form.next))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "/me".into());
    let jar = jar
        .add(session_cookie(&st.config, secret))
        .add(lang_cookie(&st.config, &creds.locale));
    Ok((jar, Redirect::to(&next)).into_response())
}

pub async fn signout(State(st): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    if let Some(c) = jar.get(crate::auth::session::SESSION_COOKIE) {
        st.store.delete_session(&tokens::hash(c.value())).await?;
    }
    let jar = jar.add(expired_session_cookie(&st.config));
    Ok((jar, Redirect::to("/?notice=signed-out")).into_response())
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage {
    c: PageCtx,
    token: String,
}

/// The link in the mail shows a button rather than verifying at once, so a
/// mail scanner that follows links cannot use them up.
pub async fn verify_form(ctx: Ctx, Path(token): Path<String>) -> Result<Html<String>, AppError> {
    Ok(Html(
        VerifyPage {
            c: PageCtx::new(&ctx),
            token,
        }
        .render()?,
    ))
}

pub async fn verify(
    State(st): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    st.store.verify_email(&tokens::hash(&token)).await?;
    Ok(Redirect::to("/signin?notice=verified").into_response())
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
}

/// Sends a fresh verification link. The answer is the same whether or not the
/// address is registered.
pub async fn resend_verification(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(form): Form<EmailForm>,
) -> Result<Response, AppError> {
    send_link(&st, &ctx, &form.email, TokenPurpose::VerifyEmail).await?;
    Ok(Redirect::to("/signin?notice=verify-sent").into_response())
}

async fn send_link(
    st: &AppState,
    ctx: &Ctx,
    email: &str,
    purpose: TokenPurpose,
) -> Result<(), AppError> {
    let Ok(email) = Email::parse(email) else {
        return Ok(());
    };
    let Some(person) = st.store.person_by_email(email.as_str()).await? else {
        return Ok(());
    };
    let tr = crate::i18n::Tr(Locale::parse(&person.locale).unwrap_or(ctx.tr.0));
    let secret = tokens::new_secret("");
    let mail = match purpose {
        TokenPurpose::VerifyEmail => emails::verify_email(
            tr,
            email.as_str(),
            &person.display_name,
            &st.config.link(&format!("/verify/{secret}")),
        ),
        TokenPurpose::ResetPassword => emails::reset_password(
            tr,
            email.as_str(),
            &person.display_name,
            &st.config.link(&format!("/password-reset/{secret}")),
        ),
    };
    st.store
        .issue_link(email.as_str(), purpose, &tokens::hash(&secret), &mail)
        .await?;
    Ok(())
}

#[derive(Template)]
#[template(path = "reset_request.html")]
struct ResetRequestPage {
    c: PageCtx,
}

pub async fn reset_request_form(ctx: Ctx) -> Result<Html<String>, AppError> {
    Ok(Html(
        ResetRequestPage {
            c: PageCtx::new(&ctx),
        }
        .render()?,
    ))
}

pub async fn reset_request(
    State(st): State<AppState>,
    ctx: Ctx,
    Form(form): Form<EmailForm>,
) -> Result<Response, AppError> {
    send_link(&st, &ctx, &form.email, TokenPurpose::ResetPassword).await?;
    Ok(Redirect::to("/signin?notice=reset-sent").into_response())
}

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    c: PageCtx,
    token: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    #[serde(default)]
    password: String,
}

pub async fn reset_form(ctx: Ctx, Path(token): Path<String>) -> Result<Html<String>, AppError> {
    Ok(Html(
        ResetPage {
            c: PageCtx::new(&ctx),
            token,
            errors: FormErrors::default(),
        }
        .render()?,
    ))
}

pub async fn reset(
    State(st): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Form(form): Form<NewPasswordForm>,
) -> Result<Response, AppError> {
    let pw = match Password::parse(&form.password, None) {
        Ok(p) => p,
        Err(e) => {
            let page = ResetPage {
                c: PageCtx::new(&ctx),
                token,
                errors: FormErrors::from_validation(ctx.tr, &e),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    let hash = password::hash(pw.expose().to_string()).await?;
    st.store
        .reset_password(&tokens::hash(&token), &hash)
        .await?;
    Ok(Redirect::to("/signin?notice=password-changed").into_response())
}

#[derive(Deserialize)]
pub struct LocaleForm {
    lang: String,
    #[serde(default)]
    next: String,
}

/// Switches the language: a cookie for everyone, and the account's setting
/// for signed-in people so mail and other devices follow.
pub async fn set_locale(
    State(st): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Form(form): Form<LocaleForm>,
) -> Result<Response, AppError> {
    let locale = Locale::parse(&form.lang).ok_or(AppError::Invalid(
        kizuna_domain::ValidationError::new("lang", "unknown_language"),
    ))?;
    if let Some(user) = &ctx.user {
        st.store
            .set_locale(user.viewer.person_id.unwrap_or_default(), locale.as_str())
            .await?;
    }
    let next = Some(safe_next(&form.next))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "/".into());
    Ok((
        jar.add(lang_cookie(&st.config, locale.as_str())),
        Redirect::to(&next),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacyPage {
    c: PageCtx,
    version: String,
}

pub async fn privacy(State(st): State<AppState>, ctx: Ctx) -> Result<Html<String>, AppError> {
    Ok(Html(
        PrivacyPage {
            c: PageCtx::new(&ctx),
            version: st.config.privacy_notice_version.clone(),
        }
        .render()?,
    ))
}
